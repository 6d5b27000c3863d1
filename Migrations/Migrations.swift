/// One schema step: its version (the number in its file name), its name and its SQL.
public struct Migration: Sendable {
    /// The version this migration brings the database to.
    public let version: Int
    /// The file name without the `.sql` extension.
    public let name: String
    /// The SQL text, run in one transaction.
    public let sql: String
}

/// The schema of a Quaero database, in the order it is applied.
///
/// Each entry is a file in `Migrations/sql`, compiled into the binary. Migrations are append-only:
/// once released, a file is never edited; a change is a new file with the next number.
public enum Migrations {
    /// Every migration, oldest first.
    public static let all: [Migration] = [
        make(1, "m0001_queue", PackageResources.m0001_queue_sql),
        make(2, "m0002_jobs", PackageResources.m0002_jobs_sql),
        make(3, "m0003_job_logs", PackageResources.m0003_job_logs_sql),
        make(4, "m0004_documents", PackageResources.m0004_documents_sql),
        make(5, "m0005_fewer_hot_indexes", PackageResources.m0005_fewer_hot_indexes_sql),
    ]

    /// The newest schema version this binary knows.
    public static var latestVersion: Int { all.last?.version ?? 0 }

    private static func make(_ version: Int, _ name: String, _ bytes: [UInt8]) -> Migration {
        Migration(version: version, name: name, sql: String(decoding: bytes, as: UTF8.self))
    }
}
