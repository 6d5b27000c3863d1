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
