public import QuaeroQueue
import QuaeroSQLite
import QuaeroSQLiteAppSchema

/// Opening the configured store, with the app's own tables.
public enum QuaeroApp {
    /// Opens (or creates) the configured store and applies pending migrations: the engine's, then the app's.
    ///
    /// - Parameter clock: the store's time (a manual clock in tests).
    /// - Throws: `QuaeroError` (`.schemaTooNew`, `.notADatabase`, `.databaseReadOnly`, `.databaseBusy`, `.storage`).
    public static func openStore(_ config: QuaeroConfig, clock: any QuaeroClock = SystemClock()) throws -> any QuaeroStore {
        try SQLiteStore(path: config.database.path, options: config.database.options, chains: [SQLiteAppSchema.chain],
                        clock: clock)
    }

    /// Opens the store, runs `body` with it, and closes it afterwards, also when `body` throws.
    public static func withStore<T: Sendable>(_ config: QuaeroConfig, _ body: (any QuaeroStore) async throws -> T) async throws -> T {
        let store = try openStore(config)
        do {
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    /// The schema versions recorded in the store, per chain (`engine`, `quaero`).
    public static func schemaVersions(_ store: any QuaeroStore) async throws -> [String: Int] {
        guard let sqlite = store as? SQLiteStore else { return [:] }
        return try await sqlite.database.schemaVersions()
    }
}
