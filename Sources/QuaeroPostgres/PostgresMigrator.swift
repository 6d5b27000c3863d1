import Foundation
import Logging
import QuaeroQueue

/// Applies migration chains to a PostgreSQL database, each migration in its own transaction under
/// `pg_advisory_xact_lock`, recorded per chain in `schema_migrations`: processes that start at once wait for
/// each other and apply each migration once. A database whose recorded version of a chain is newer than the
/// chain knows is refused, unchanged.
struct PostgresMigrator {
    let connection: PostgresConnection
    let url: PostgresURL
    let logger: Logger

    /// What the store learns about its database while it opens.
    struct Facts: Sendable {
        /// `server_version`.
        var serverVersion: String
        /// The database's clock minus this machine's, in milliseconds.
        var clockOffset: Int64
        /// The NOTIFY channel of this database and schema.
        var channel: String
        /// The recorded version of each chain after migrating.
        var versions: [String: Int]
    }

    /// Migrates `chains` and returns what the store needs to know.
    func migrate(_ chains: [MigrationChain]) async throws -> Facts {
        let (serverVersion, schema, offset) = try await describe()
        var versions = try await recordedVersions()
        try Self.refuseNewer(versions, chains, url)
        if !chains.allSatisfy({ versions[$0.name] == $0.latestVersion }) {
            try await locked {
                try await run("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        chain text NOT NULL, version integer NOT NULL, name text NOT NULL, applied_at bigint NOT NULL,
                        PRIMARY KEY (chain, version))
                    """)
            }
            for chain in chains {
                for migration in chain.migrations {
                    try await locked {
                        // Read again under the lock: another process may have applied it meanwhile.
                        let applied = try await !rows("SELECT 1 FROM schema_migrations WHERE chain = $1::text AND version = $2::int",
                                                      [chain.name, Int32(migration.version)]).isEmpty
                        guard !applied else { return }
                        do {
                            for statement in PostgresMigrationText.statements(migration.sql) { try await run(statement) }
                        } catch {
                            throw QuaeroError(.storage,
                                "migration \(chain.name)/\(migration.name) failed on \(url): \(PostgresErrors.map(error, url: url, doing: "migrating")); the database was left at the previous version")
                        }
                        let now = Int64(Date().timeIntervalSince1970 * 1000)
                        _ = try await rows("""
                            INSERT INTO schema_migrations (chain, version, name, applied_at)
                            VALUES ($1::text, $2::int, $3::text, $4::bigint)
                            """, [chain.name, Int32(migration.version), migration.name, now])
                        logger.info("applied a migration", metadata: ["chain": "\(chain.name)", "migration": "\(migration.name)"])
                    }
                }
            }
            versions = try await recordedVersions()
            try Self.refuseNewer(versions, chains, url)
        }
        let channel = schema == "public" ? "quaero" : "quaero_\(schema)"
        return Facts(serverVersion: serverVersion, clockOffset: offset, channel: channel, versions: versions)
    }

    /// The server's version, the schema new tables go to, and its clock's offset from this machine's.
    private func describe() async throws -> (String, String, Int64) {
        let before = Date()
        let found = try await rows(
            "SELECT current_setting('server_version'), current_schema(), (extract(epoch FROM clock_timestamp()) * 1000)::bigint")
        let after = Date()
        if let row = found.first {
            let (version, schema, server) = (try row.text(0), try row.optionalText(1), try row.int64(2))
            guard let schema else {
                throw QuaeroError(.storage, "\(url) has no schema to create tables in (search_path names none that exists)")
            }
            let local = Int64((before.timeIntervalSince1970 + after.timeIntervalSince1970) / 2 * 1000)
            return (version, schema, server - local)
        }
        throw QuaeroError(.storage, "\(url) did not describe itself")
    }

    /// The highest recorded version of each chain (none when the table does not exist yet).
    func recordedVersions() async throws -> [String: Int] {
        do {
            guard try await rows("SELECT to_regclass('schema_migrations') IS NOT NULL").first?.bool(0) == true else { return [:] }
            var versions: [String: Int] = [:]
            for row in try await rows("SELECT chain, max(version) FROM schema_migrations GROUP BY chain") {
                versions[try row.text(0)] = try row.int(1)
            }
            return versions
        } catch {
            throw PostgresErrors.map(error, url: url, doing: "reading the schema version")
        }
    }

    static func refuseNewer(_ versions: [String: Int], _ chains: [MigrationChain], _ url: PostgresURL) throws {
        for chain in chains {
            if let version = versions[chain.name], version > chain.latestVersion {
                throw QuaeroError(.schemaTooNew,
                    "the database \(url) has \(chain.name) schema version \(version), newer than this binary knows (\(chain.latestVersion)); use a newer quaero, or another database. The database was not changed")
            }
        }
    }

    /// Runs `body` in a transaction holding the migration lock of this database and schema.
    private func locked(_ body: () async throws -> Void) async throws {
        try await run("BEGIN")
        do {
            // One key per schema: two schemas of one database migrate independently.
            try await run("SELECT pg_advisory_xact_lock(hashtext('quaero migrations ' || current_schema())::bigint)")
            try await body()
            try await run("COMMIT")
        } catch {
            try? await connection.run { try $0.simple("ROLLBACK") }
            throw error
        }
    }

    private func run(_ sql: String) async throws {
        do {
            try await connection.run { try $0.simple(sql) }
        } catch {
            throw PostgresErrors.map(error, url: url, doing: "migrating")
        }
    }

    private func rows(_ sql: String, _ values: [PostgresBind] = []) async throws -> [PostgresColumns] {
        do {
            return try await connection.run { try $0.execute(sql, values) }.rows
        } catch {
            throw PostgresErrors.map(error, url: url, doing: "migrating")
        }
    }
}
