import Foundation
public import QuaeroQueue
import QuaeroPostgres
import QuaeroSQLite

/// A store the conformance suite runs its test bodies on: every engine behaviour holds on each.
public enum StoreKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// SQLite on a file in a fresh temporary folder.
    case sqliteFile = "sqlite-file"
    /// SQLite in memory (`:memory:`).
    case sqliteMemory = "sqlite-memory"
    /// PostgreSQL, in a schema of its own per test, on the server `QUAERO_TEST_POSTGRES_URL` names.
    case postgres

    public var description: String { rawValue }

    /// The stores this test run can reach: PostgreSQL when `QUAERO_TEST_POSTGRES_URL` is set (scripts/test
    /// starts a throwaway cluster and sets it).
    public static var available: [StoreKind] {
        PostgresTestServer.url == nil ? [.sqliteFile, .sqliteMemory] : allCases
    }
}

/// Runs `body` with a fresh, empty store of `kind` whose clock is `clock`, then closes (and removes) it.
///
/// - Parameter chains: migration chains to apply after the engine's, as the store kind needs them (a SQLite
///   chain on SQLite; on PostgreSQL, `postgresChains`).
public func withStore<T>(_ kind: StoreKind, clock: any QuaeroClock = SystemClock(), chains: [MigrationChain] = [],
                         postgresChains: [MigrationChain] = [], _ body: (any QuaeroStore) async throws -> T) async throws -> T {
    switch kind {
    case .sqliteFile:
        return try await withTemporaryStore(chains: chains, clock: clock) { store, _ in try await body(store) }
    case .sqliteMemory:
        let store = try SQLiteStore(path: ":memory:", chains: chains, clock: clock)
        return try await closing(store) { try await body(store) }
    case .postgres:
        return try await withPostgresSchema { url in
            let store = try await PostgresStore.open(url, chains: postgresChains, clock: clock)
            return try await closing(store) { try await body(store) }
        }
    }
}

/// Runs `body` with `store`, then closes it, also when `body` throws.
public func closing<S: QuaeroStore, T>(_ store: S, _ body: () async throws -> T) async throws -> T {
    do {
        let result = try await body()
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}

extension StoreKind {
    /// The stores that another handle (another process) can open too: a file, a server; not `:memory:`.
    public static var shared: [StoreKind] { available.filter { $0 != .sqliteMemory } }
}

/// Runs `body` with a second handle on the database of `store` (of `kind`), as another process would open
/// it, whose sends wake nobody in this process (on PostgreSQL: `poll_only`); closes the handle after.
public func withAnotherHandle<T>(on store: any QuaeroStore, kind: StoreKind, clock: any QuaeroClock = SystemClock(),
                                 _ body: (any QuaeroStore) async throws -> T) async throws -> T {
    let other: any QuaeroStore
    switch kind {
    case .sqliteFile:
        guard let sqlite = store as? SQLiteStore else { throw QuaeroError(.invalidArgument, "not a SQLite store: \(store)") }
        other = try SQLiteStore(path: sqlite.database.path, options: sqlite.database.options, clock: clock)
    case .sqliteMemory:
        throw QuaeroError(.invalidArgument, "an in-memory database cannot be opened twice")
    case .postgres:
        guard let postgres = store as? PostgresStore else { throw QuaeroError(.invalidArgument, "not a PostgreSQL store: \(store)") }
        // A process outside the wake-ups (poll_only: it neither listens nor notifies), as another SQLite
        // process is: what it sends, this one finds by polling.
        var options = postgres.options
        options.pollOnly = true
        other = try await PostgresStore.open(postgres.url, options: options, clock: clock)
    }
    return try await closing(other) { try await body(other) }
}
