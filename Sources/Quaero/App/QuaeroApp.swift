public import QuaeroQueue

/// The composition root: builds Quaero's parts from a configuration. The CLI and the tests call these
/// functions, so both run the same wiring.
public enum QuaeroApp {
    /// Opens (or creates) the configured database and applies pending migrations.
    ///
    /// - Throws: `QuaeroError` (`.schemaTooNew`, `.notADatabase`, `.databaseReadOnly`, `.sqlite`).
    public static func openDatabase(_ config: QuaeroConfig) throws -> Database {
        try Database(path: config.database.path, options: config.database.options)
    }

    /// Makes the manager of the configured job queue in `database`.
    ///
    /// - Parameters:
    ///   - config: supplies the queue name, visibility timeout and max receive.
    ///   - database: the open database.
    ///   - clock: the clock read by the queue; the system clock outside tests.
    public static func makeQueueManager(_ config: QuaeroConfig, database: Database,
                                        clock: any QuaeroClock = SystemClock()) throws -> QueueManager {
        try QueueManager(database: database, queueName: config.queue.queueName, options: config.queue.options, clock: clock)
    }

    /// Opens the database, runs `body` with it, and closes it afterwards, also when `body` throws.
    public static func withDatabase<T: Sendable>(_ config: QuaeroConfig,
                                                 _ body: (Database) async throws -> T) async throws -> T {
        try await Database.with(path: config.database.path, options: config.database.options, body)
    }
}
