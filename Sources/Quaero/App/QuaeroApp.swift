public import Logging
public import QuaeroQueue
import QuaeroPostgres
import QuaeroPostgresAppSchema
import QuaeroSQLite
import QuaeroSQLiteAppSchema

/// Opening the configured store, with the app's own tables.
public enum QuaeroApp {
    /// Opens (or creates) the configured store and applies pending migrations: the engine's, then the app's.
    /// `database.path` selects the store: a `postgres://` URL opens PostgreSQL (with the `[postgres]`
    /// settings), anything else a SQLite file (or `:memory:`).
    ///
    /// - Parameter clock: pins the store's time (a manual clock in tests); nil is the system clock on SQLite
    ///   and the database server's clock on PostgreSQL.
    /// - Throws: `QuaeroError` (`.schemaTooNew`, `.notADatabase`, `.databaseReadOnly`, `.databaseBusy`, `.storage`;
    ///   `.invalidArgument` for a bad URL).
    public static func openStore(_ config: QuaeroConfig, clock: (any QuaeroClock)? = nil,
                                 logger: Logger = Logger(label: "quaero.store")) async throws -> any QuaeroStore {
        if config.database.isPostgres {
            return try await PostgresStore.open(config.database.path, options: config.postgres.options,
                                                chains: [PostgresAppSchema.chain], clock: clock, logger: logger)
        }
        return try SQLiteStore(path: config.database.path, options: config.database.options, chains: [SQLiteAppSchema.chain],
                               clock: clock ?? SystemClock())
    }

    /// Opens the store as `openStore` does; while the database server cannot be reached (`unavailable`), logs
    /// why (naming the server, never the password) and tries again, waiting up to 10 s between attempts, until
    /// it opens or the task is cancelled. For the long-running commands (`serve`, `worker`): their work resumes
    /// when the database comes back.
    public static func openStoreWhenReachable(_ config: QuaeroConfig, logger: Logger) async throws -> any QuaeroStore {
        var delay = Duration.milliseconds(500)
        while true {
            do {
                return try await openStore(config, logger: logger)
            } catch let error as QuaeroError where error.code == .unavailable {
                logger.error("\(error.message); trying again in \(DurationText.format(delay))")
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }

    /// Opens the store, runs `body` with it, and closes it afterwards, also when `body` throws.
    ///
    /// - Parameter waitForDatabase: keep trying while the database server cannot be reached
    ///   (`openStoreWhenReachable`) instead of failing at once.
    public static func withStore<T: Sendable>(_ config: QuaeroConfig, logger: Logger = Logger(label: "quaero.store"),
                                              waitForDatabase: Bool = false,
                                              _ body: (any QuaeroStore) async throws -> T) async throws -> T {
        let store = waitForDatabase ? try await openStoreWhenReachable(config, logger: logger) : try await openStore(config, logger: logger)
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
        if let sqlite = store as? SQLiteStore { return try await sqlite.database.schemaVersions() }
        if let postgres = store as? PostgresStore { return try await postgres.schemaVersions() }
        return [:]
    }
}
