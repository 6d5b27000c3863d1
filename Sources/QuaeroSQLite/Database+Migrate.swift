import Foundation
import QuaeroQueue

/// Migrations in chains (the engine's, and each app's), each recorded under its name in `schema_migrations`.
///
/// `PRAGMA user_version` marks the layout: 1 to 5 is the single chain of Quaero ≤ 0.3 (adopted at the next
/// open, see `adoptLegacy`), `chainedLayout` the chains. A binary from before chains refuses such a file as
/// newer than it knows, so an upgraded database is never opened by an older Quaero.
extension Database {
    /// `user_version` of a database whose migrations are recorded per chain.
    static let chainedLayout = 100

    /// The highest version of each chain recorded in the file.
    public func schemaVersions() async throws -> [String: Int] {
        try await read { try Self.recordedVersions($0) }
    }

    static func userVersion(_ connection: Connection) throws -> Int {
        try connection.queryFirst("PRAGMA user_version") { $0.int(0) } ?? 0
    }

    private static func hasChainTable(_ connection: Connection) throws -> Bool {
        try connection.queryFirst("SELECT 1 FROM pragma_table_info('schema_migrations') WHERE name = 'chain'") { _ in true } ?? false
    }

    static func recordedVersions(_ connection: Connection) throws -> [String: Int] {
        guard try hasChainTable(connection) else { return [:] }
        var versions: [String: Int] = [:]
        try connection.query("SELECT chain, max(version) FROM schema_migrations GROUP BY chain") { versions[$0.text(0)] = $0.int(1) }
        return versions
    }

    /// Refuses a database written by a newer schema, before anything (even the journal mode) is changed.
    static func checkSchemaVersions(_ connection: Connection, chains: [MigrationChain]) throws {
        let layout = try userVersion(connection)
        if layout > chainedLayout || (layout > 5 && layout < chainedLayout) {
            throw QuaeroError(.schemaTooNew,
                "the database \(connection.path) has schema layout \(layout), newer than this binary knows (\(chainedLayout)); use a newer quaero, or another database. The file was not changed")
        }
        let recorded = try recordedVersions(connection)
        for chain in chains {
            if let version = recorded[chain.name], version > chain.latestVersion {
                throw QuaeroError(.schemaTooNew,
                    "the database \(connection.path) has \(chain.name) schema version \(version), newer than this binary knows (\(chain.latestVersion)); use a newer quaero, or another database. The file was not changed")
            }
        }
    }

    /// Applies every migration of `chains` newer than the file has, each in its own transaction, recording it.
    ///
    /// Safe against another process migrating at the same time: what is applied is read again once the write
    /// lock is held.
    static func migrate(_ connection: Connection, chains: [MigrationChain]) throws {
        // The common case, a database that is up to date, takes no write lock.
        if try userVersion(connection) == chainedLayout {
            let recorded = try recordedVersions(connection)
            if chains.allSatisfy({ recorded[$0.name] == $0.latestVersion }) { return }
        }
        try exclusively(connection) {
            let layout = try userVersion(connection)
            let legacy = try layout >= 1 && layout <= 5 && !hasChainTable(connection)
            if legacy { try connection.exec("ALTER TABLE schema_migrations RENAME TO schema_migrations_legacy") }
            try connection.exec("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    chain TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at INTEGER NOT NULL,
                    PRIMARY KEY (chain, version)) STRICT
                """)
            if legacy { try adoptLegacy(connection, upTo: layout, chains: chains) }
            if layout != chainedLayout { try connection.exec("PRAGMA user_version = \(chainedLayout)") }
        }
        // A migration may edit a table's text in sqlite_schema, SQLite's documented way to change a CHECK
        // constraint (engine m0015); a connection in defensive mode, the default of some builds of SQLite, refuses
        // that, so the mode is off while migrations run and then as it was.
        let defensive = connection.isDefensive
        connection.isDefensive = false
        defer { connection.isDefensive = defensive }
        for chain in chains {
            for migration in chain.migrations {
                try exclusively(connection) {
                    let applied = try connection.queryFirst(
                        "SELECT 1 FROM schema_migrations WHERE chain = ? AND version = ?", [chain.name, migration.version]) { _ in true }
                    guard applied == nil else { return }
                    do {
                        try connection.exec(migration.sql)
                    } catch {
                        throw QuaeroError(.storage, "migration \(chain.name)/\(migration.name) failed: \(error); the database was left at the previous version")
                    }
                    try record(migration, chain: chain.name, connection)
                }
            }
        }
    }

    /// A database of the single chain of before (its old table is kept as `schema_migrations_legacy`): every
    /// migration whose legacy version it had applied is recorded as applied.
    private static func adoptLegacy(_ connection: Connection, upTo version: Int, chains: [MigrationChain]) throws {
        for chain in chains {
            for migration in chain.migrations {
                if let legacy = migration.legacyVersion, legacy <= version { try record(migration, chain: chain.name, connection) }
            }
        }
    }

    private static func record(_ migration: Migration, chain: String, _ connection: Connection) throws {
        try connection.execute(
            "INSERT INTO schema_migrations (chain, version, name, applied_at) VALUES (?, ?, ?, ?)",
            [chain, migration.version, migration.name, Int64(Date().timeIntervalSince1970 * 1000)])
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction (waiting for other processes by the busy timeout).
    private static func exclusively(_ connection: Connection, _ body: () throws -> Void) throws {
        try connection.exec("BEGIN IMMEDIATE")
        do {
            try body()
            try connection.exec("COMMIT")
        } catch {
            try? connection.exec("ROLLBACK")
            throw error
        }
    }
}
