public import QuaeroQueue
import QuaeroSQLite

/// A store the conformance suite runs its test bodies on: every engine behaviour holds on each.
public enum StoreKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// SQLite on a file in a fresh temporary folder.
    case sqliteFile = "sqlite-file"
    /// SQLite in memory (`:memory:`).
    case sqliteMemory = "sqlite-memory"

    public var description: String { rawValue }

    /// The stores this test run can reach.
    public static var available: [StoreKind] { allCases }
}

/// Runs `body` with a fresh, empty store of `kind` whose clock is `clock`, then closes (and removes) it.
public func withStore<T>(_ kind: StoreKind, clock: any QuaeroClock = SystemClock(), chains: [MigrationChain] = [],
                         _ body: (any QuaeroStore) async throws -> T) async throws -> T {
    switch kind {
    case .sqliteFile:
        return try await withTemporaryStore(chains: chains, clock: clock) { store, _ in try await body(store) }
    case .sqliteMemory:
        let store = try SQLiteStore(path: ":memory:", chains: chains, clock: clock)
        do {
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }
}

extension StoreKind {
    /// The stores that another handle (another process) can open too: a file, a server; not `:memory:`.
    public static var shared: [StoreKind] { available.filter { $0 != .sqliteMemory } }
}

/// Runs `body` with a second handle on the database of `store` (of `kind`), as another process would open
/// it; closes the handle after.
public func withAnotherHandle<T>(on store: any QuaeroStore, kind: StoreKind, clock: any QuaeroClock = SystemClock(),
                                 _ body: (any QuaeroStore) async throws -> T) async throws -> T {
    let other: any QuaeroStore
    switch kind {
    case .sqliteFile:
        guard let sqlite = store as? SQLiteStore else { throw QuaeroError(.invalidArgument, "not a SQLite store: \(store)") }
        other = try SQLiteStore(path: sqlite.database.path, options: sqlite.database.options, clock: clock)
    case .sqliteMemory:
        throw QuaeroError(.invalidArgument, "an in-memory database cannot be opened twice")
    }
    do {
        let result = try await body(other)
        await other.close()
        return result
    } catch {
        await other.close()
        throw error
    }
}
