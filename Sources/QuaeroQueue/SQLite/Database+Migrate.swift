import Foundation
import QuaeroMigrations

extension Database {
    /// The schema version recorded in the file (`PRAGMA user_version`).
    public func schemaVersion() async throws -> Int {
        try await read { try Self.userVersion($0) }
    }

    static func userVersion(_ connection: Connection) throws -> Int {
        try connection.queryFirst("PRAGMA user_version") { $0.int(0) } ?? 0
    }

    /// Refuses a database written by a newer schema, before anything (even the journal mode) is changed.
    static func checkSchemaVersion(_ connection: Connection) throws {
        let version = try userVersion(connection)
        if version > Migrations.latestVersion {
            throw QuaeroError(.schemaTooNew,
                "the database \(connection.path) has schema version \(version), newer than this binary knows (\(Migrations.latestVersion)); use a newer quaero, or another database. The file was not changed")
        }
    }

    /// Applies every migration newer than the file's version, each in its own transaction, recording it.
    ///
    /// Safe against another process migrating at the same time: the version is read again once the write
    /// lock is held (waiting for it up to the connection's busy timeout).
    static func migrate(_ connection: Connection) throws {
        for migration in Migrations.all {
            guard try userVersion(connection) < migration.version else { continue }
            try connection.exec("BEGIN IMMEDIATE")
            do {
                if try userVersion(connection) < migration.version {
                    try connection.exec(migration.sql)
                    try connection.exec("""
                        CREATE TABLE IF NOT EXISTS schema_migrations (
                            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT
                        """)
                    try connection.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                        [migration.version, migration.name, Int64(Date().timeIntervalSince1970 * 1000)])
                    try connection.exec("PRAGMA user_version = \(migration.version)")
                }
                try connection.exec("COMMIT")
            } catch {
                try? connection.exec("ROLLBACK")
                throw QuaeroError(.sqlite, "migration \(migration.name) failed: \(error); the database was left at the previous version")
            }
        }
    }
}
