/// One schema step of a chain: its version (the number in its file name), its name and its SQL.
public struct Migration: Sendable, Equatable {
    /// The version this migration brings its chain to.
    public let version: Int
    /// The file name without the `.sql` extension.
    public let name: String
    /// The SQL text, run in one transaction.
    public let sql: String
    /// Its number in the single chain databases had before chains (Quaero ≤ 0.3), if it existed then: such a
    /// database counts it as applied.
    public let legacyVersion: Int?

    /// Creates a migration from its file's bytes.
    public init(version: Int, name: String, sql bytes: [UInt8], legacyVersion: Int? = nil) {
        self.version = version
        self.name = name
        self.sql = String(decoding: bytes, as: UTF8.self)
        self.legacyVersion = legacyVersion
    }
}

/// The schema of one owner (the engine, or an app) for one store, applied in order and recorded under its
/// name. Migrations are append-only: once released, a file is never edited; a change is a new file with the
/// next number. A store refuses a database whose recorded version of a chain is newer than the chain knows.
public struct MigrationChain: Sendable, Equatable {
    /// The chain's name, as recorded in the database (`engine`, `quaero`).
    public let name: String
    /// Every migration, oldest first.
    public let migrations: [Migration]

    /// Creates a chain.
    public init(name: String, migrations: [Migration]) {
        self.name = name
        self.migrations = migrations
    }

    /// The newest version this chain knows.
    public var latestVersion: Int { migrations.last?.version ?? 0 }
}
