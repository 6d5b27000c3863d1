public import QuaeroQueue

/// The Quaero app's schema on SQLite (documents and their full-text index, the crawl frontier, robots.txt per crawl): the files in
/// `sql/`, compiled into the binary, in the order they are applied.
public enum SQLiteAppSchema {
    /// The app's chain.
    public static let chain = MigrationChain(name: "quaero", migrations: [
        // The documents were version 4 of the single chain of before.
        Migration(version: 1, name: "m0001_documents", sql: PackageResources.m0001_documents_sql, legacyVersion: 4),
        Migration(version: 2, name: "m0002_crawl_pages", sql: PackageResources.m0002_crawl_pages_sql),
        Migration(version: 3, name: "m0003_crawl_robots", sql: PackageResources.m0003_crawl_robots_sql),
    ])
}
