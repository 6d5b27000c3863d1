import Foundation
import QuaeroPostgres
import QuaeroPostgresAppSchema
import QuaeroPostgresSchema
import QuaeroQueue
import QuaeroSQLite
import QuaeroSQLiteAppSchema
import QuaeroSQLiteSchema
import QuaeroTestSupport
import Testing

@Suite("PostgreSQL: migrations", .enabled(if: hasPostgres))
struct SchemaTests {
    /// What each store keeps of its own: SQLite's full-text indexes are sets of FTS5 tables; PostgreSQL keeps the
    /// words in a column (documents, and job_search since m0011), and spreads the job counters of m0010 over
    /// slots so that concurrent writers do not wait for one row; SQLite, one writer at a time, keeps each type's
    /// latest minute of ends in its counter row (m0015), and the lease's end of a message with limits in a column
    /// of its own, so that other deliveries write no index (m0016).
    static let sqliteOnlyTables: Set<String> = ["documents_fts", "documents_fts_data", "documents_fts_idx", "documents_fts_content",
                                                "documents_fts_docsize", "documents_fts_config", "sqlite_sequence",
                                                "jobs_fts", "jobs_fts_data", "jobs_fts_idx", "jobs_fts_content",
                                                "jobs_fts_docsize", "jobs_fts_config"]
    static let postgresOnlyColumns: Set<String> = ["documents.search", "job_search.words", "job_counts.slot", "job_minutes.shard"]
    static let sqliteOnlyColumns: Set<String> = ["job_counts.minute", "job_counts.minute_completed", "job_counts.minute_failed",
                                                 "messages.limit_until"]

    @Test("both stores' chains have the same versions and give the same tables and columns")
    func parity() async throws {
        #expect(PostgresEngineSchema.chain.migrations.map(\.version) == SQLiteEngineSchema.chain.migrations.map(\.version))
        #expect(PostgresAppSchema.chain.migrations.map(\.version) == SQLiteAppSchema.chain.migrations.map(\.version))
        #expect(PostgresEngineSchema.chain.name == SQLiteEngineSchema.chain.name)
        #expect(PostgresAppSchema.chain.name == SQLiteAppSchema.chain.name)

        let sqlite = try SQLiteStore(path: ":memory:", chains: [SQLiteAppSchema.chain])
        let sqliteColumns = try await sqlite.database.read { connection in
            try connection.query("""
                SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
                """) { $0.text(0) }
        }
        await sqlite.close()
        let postgresColumns = try await withClusterSchema { _, store in
            try await sql(store, """
                SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = current_schema()
                """).map { try $0.text(0) }
        }
        let sqliteSet = Set(sqliteColumns).filter { !Self.sqliteOnlyTables.contains(String($0.split(separator: ".")[0])) }
            .subtracting(Self.sqliteOnlyColumns)
        let postgresSet = Set(postgresColumns).subtracting(Self.postgresOnlyColumns)
        #expect(sqliteSet.subtracting(postgresSet).sorted() == [])
        #expect(postgresSet.subtracting(sqliteSet).sorted() == [])
        #expect(postgresSet.contains("messages.lease"))
    }

    @Test("every migration is applied in order and recorded once; opening again applies nothing")
    func applied() async throws {
        try await withPostgresSchema { url in
            let store = try await PostgresStore.open(url, chains: [PostgresAppSchema.chain])
            let rows = try await sql(store, "SELECT chain, version, name FROM schema_migrations ORDER BY applied_at, chain, version")
            let recorded = try rows.map { "\(try $0.text(0)) \(try $0.int(1)) \(try $0.text(2))" }
            let expected = (PostgresEngineSchema.chain.migrations.map { "engine \($0.version) \($0.name)" }
                + PostgresAppSchema.chain.migrations.map { "quaero \($0.version) \($0.name)" })
            #expect(Set(recorded) == Set(expected))
            #expect(recorded.count == expected.count)
            #expect(try await store.schemaVersions() == ["engine": PostgresEngineSchema.chain.latestVersion,
                                                          "quaero": PostgresAppSchema.chain.latestVersion])
            await store.close()
            let again = try await PostgresStore.open(url, chains: [PostgresAppSchema.chain])
            #expect(try await count(again, "SELECT count(*) FROM schema_migrations") == expected.count)
            await again.close()
        }
    }

    @Test("a database with a newer schema is refused, both versions named, and left unchanged")
    func newerRefused() async throws {
        try await withPostgresSchema { url in
            let store = try await PostgresStore.open(url)
            _ = try await sql(store, "SELECT 1")
            try await store.write { tx in
                _ = try await (tx as! PostgresTransaction).query(
                    "INSERT INTO schema_migrations (chain, version, name, applied_at) VALUES ('engine', 99, 'm0099_future', 0)", [])
            }
            await store.close()
            let error = await #expect(throws: QuaeroError.self) { try await PostgresStore.open(url) }
            #expect(error?.code == .schemaTooNew)
            #expect(error?.message.contains("engine schema version 99") == true)
            #expect(error?.message.contains("(\(PostgresEngineSchema.chain.latestVersion))") == true)
            #expect(error?.message.contains("not changed") == true)
        }
    }

    @Test("4 processes run `quaero migrate` on an empty database at once: one migration each, no error")
    func concurrentMigrate() async throws {
        try await withPostgresSchema { url in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let nodes = try (0..<4).map { _ in try Node.quaero(["migrate", "--db", url], in: directory.url) }
            for node in nodes {
                #expect(await node.exited(within: .seconds(60)))
                #expect(node.status == 0, "\(node.output())")
                #expect(node.output().contains("schema versions engine \(PostgresEngineSchema.chain.latestVersion), quaero \(PostgresAppSchema.chain.latestVersion)"),
                        "\(node.output())")
            }
            let store = try await PostgresStore.open(url)
            let applied = try await sql(store, "SELECT chain, version, count(*) FROM schema_migrations GROUP BY chain, version HAVING count(*) > 1")
            #expect(applied.isEmpty)
            #expect(try await count(store, "SELECT count(*) FROM schema_migrations")
                    == PostgresEngineSchema.chain.migrations.count + PostgresAppSchema.chain.migrations.count)
            await store.close()
        }
    }

    @Test("SQL files split into statements at the right semicolons")
    func splitting() {
        let statements = PostgresMigrationText.statements("""
            -- a comment; with a semicolon
            CREATE TABLE a (x text DEFAULT 'a;b');
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;

            """)
        #expect(statements.count == 2)
        #expect(statements[0].hasSuffix("CREATE TABLE a (x text DEFAULT 'a;b')"))
        #expect(statements[1] == "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$")
    }
}
