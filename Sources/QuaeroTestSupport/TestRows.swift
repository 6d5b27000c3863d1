public import QuaeroQueue
import QuaeroPostgres
import QuaeroSQLite

/// A test's own table next to the engine's, written in the engine's transactions: what an app's rows are
/// in the conformance suite. Each store has its own SQL here (test support, like an app's per-store SQL).
public enum TestRows {
    /// Creates the table `app_rows (name)`.
    public static func createTable(in store: any QuaeroStore) async throws {
        try await store.write { tx in
            switch try handle(tx) {
            case .sqlite(let connection): try connection.execute("CREATE TABLE app_rows (name TEXT NOT NULL)")
            case .postgres(let tx): _ = try await tx.query("CREATE TABLE app_rows (id bigserial PRIMARY KEY, name text NOT NULL)", [])
            }
        }
    }

    /// Inserts a row inside the transaction `tx`.
    public static func insert(_ name: String, in tx: any StoreTransaction) async throws {
        switch try handle(tx) {
        case .sqlite(let connection): try connection.execute("INSERT INTO app_rows (name) VALUES (?)", [name])
        case .postgres(let tx): try await tx.command(InsertRow.self, name)
        }
    }

    /// The names in the table, in insertion order.
    public static func names(in store: any QuaeroStore) async throws -> [String] {
        try await store.read { reader in
            switch try handle(reader) {
            case .sqlite(let connection): try connection.query("SELECT name FROM app_rows ORDER BY rowid") { $0.text(0) }
            case .postgres(let tx): try await tx.query("SELECT name FROM app_rows ORDER BY id", []).map { try $0.text(0) }
            }
        }
    }

    /// Makes the store refuse (with an error) every message whose body is `body`, from now on: a send that
    /// fails inside the store, after others in its transaction succeeded.
    public static func refuseMessages(withBody body: String, in store: any QuaeroStore) async throws {
        try await store.write { tx in
            switch try handle(tx) {
            case .sqlite(let connection):
                // A TEMP trigger lives on the connection that creates it: the SQLite store's single writer.
                try connection.execute("""
                    CREATE TEMP TRIGGER refuse_body BEFORE INSERT ON messages WHEN NEW.body = CAST('\(body)' AS BLOB)
                    BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                    """)
            case .postgres(let tx):
                // In the test's own schema, so that no other test sees it.
                _ = try await tx.query("""
                    CREATE FUNCTION refuse_body() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.body = convert_to('\(body)', 'UTF8') THEN RAISE EXCEPTION 'refused by the test'; END IF;
                        RETURN NEW;
                    END $$
                    """, [])
                _ = try await tx.query(
                    "CREATE TRIGGER refuse_body BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_body()", [])
            }
        }
    }

    private enum InsertRow: PostgresSQL {
        static let sql = "INSERT INTO app_rows (name) VALUES ($1::text)"
    }

    private enum Handle {
        case sqlite(Connection)
        case postgres(PostgresTransaction)
    }

    private static func handle(_ reader: any StoreReader) throws -> Handle {
        if let sqlite = reader as? SQLiteTransaction { return .sqlite(sqlite.connection) }
        if let postgres = reader as? PostgresTransaction { return .postgres(postgres) }
        throw QuaeroError(.invalidArgument, "TestRows has no SQL for this store")
    }
}
