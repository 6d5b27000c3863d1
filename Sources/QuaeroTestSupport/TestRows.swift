public import QuaeroQueue
import QuaeroSQLite

/// A test's own table next to the engine's, written in the engine's transactions: what an app's rows are
/// in the conformance suite. Each store has its own SQL here (test support, like an app's per-store SQL).
public enum TestRows {
    /// Creates the table `app_rows (name)`.
    public static func createTable(in store: any QuaeroStore) async throws {
        try await store.write { tx in try connection(tx).execute("CREATE TABLE app_rows (name TEXT NOT NULL)") }
    }

    /// Inserts a row inside the transaction `tx`.
    public static func insert(_ name: String, in tx: any StoreTransaction) async throws {
        try connection(tx).execute("INSERT INTO app_rows (name) VALUES (?)", [name])
    }

    /// The names in the table, in insertion order.
    public static func names(in store: any QuaeroStore) async throws -> [String] {
        try await store.read { reader in try connection(reader).query("SELECT name FROM app_rows ORDER BY rowid") { $0.text(0) } }
    }

    /// Makes the store refuse (with an error) every message whose body is `body`, from now on: a send that
    /// fails inside the store, after others in its transaction succeeded.
    public static func refuseMessages(withBody body: String, in store: any QuaeroStore) async throws {
        try await store.write { tx in
            // A TEMP trigger lives on the connection that creates it: the SQLite store's single writer.
            try connection(tx).execute("""
                CREATE TEMP TRIGGER refuse_body BEFORE INSERT ON messages WHEN NEW.body = CAST('\(body)' AS BLOB)
                BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                """)
        }
    }

    private static func connection(_ reader: any StoreReader) throws -> Connection {
        guard let sqlite = reader as? SQLiteTransaction else {
            throw QuaeroError(.invalidArgument, "TestRows has no SQL for this store")
        }
        return sqlite.connection
    }
}
