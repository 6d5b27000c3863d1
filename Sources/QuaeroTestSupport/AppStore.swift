public import QuaeroQueue
public import QuaeroSQLite
import QuaeroSQLiteAppSchema

/// Runs `body` with a SQLite store holding the engine's and the app's tables (documents, crawl pages) on a new
/// file in a fresh temporary folder, then closes and removes both.
public func withAppStore<T>(clock: any QuaeroClock = SystemClock(), _ body: (SQLiteStore, TemporaryDirectory) async throws -> T) async throws -> T {
    try await withTemporaryStore(chains: [SQLiteAppSchema.chain], clock: clock, body)
}
