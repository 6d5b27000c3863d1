import Testing
@testable import QuaeroSQLite

/// The claims' cache of small tables (pauses, live remote types): what it keeps and when it reads again.
@Suite("Stale cache")
struct StaleCacheTests {
    /// Counts the reads of a value that the test changes, as a table another process writes.
    private final class Table: @unchecked Sendable {
        var value = 1
        var reads = 0
        func read() -> Int {
            reads += 1
            return value
        }
    }

    @Test("a fresh value is kept; a change made elsewhere is read once it is stale or emptied")
    func keepsUntilStaleOrInvalidated() {
        let table = Table()
        let cache = StaleCache<String, Int>(staleness: .seconds(3600))
        #expect(cache.value(for: "q", read: table.read) == 1)
        table.value = 2  // another process's write: not seen while fresh
        #expect(cache.value(for: "q", read: table.read) == 1)
        #expect(table.reads == 1)
        #expect(cache.value(for: "other", read: table.read) == 2, "each key is read on its own")
        cache.invalidate()  // a write through this store
        #expect(cache.value(for: "q", read: table.read) == 2)
        #expect(table.reads == 3)

        let stale = StaleCache<String, Int>(staleness: .zero)
        #expect(stale.value(for: "q", read: table.read) == 2)
        table.value = 3
        #expect(stale.value(for: "q", read: table.read) == 3, "past its staleness a value is read again")
    }

    @Test("a value that no longer holds is read again at once, however fresh")
    func readsAgainWhenNotCurrent() {
        let table = Table()
        let cache = StaleCache<Int, LiveRemoteTypes>(staleness: .seconds(3600))
        let read = { () -> LiveRemoteTypes in
            _ = table.read()
            return LiveRemoteTypes(types: table.value == 1 ? ["resize"] : [], firstExpiry: 1_000)
        }
        #expect(cache.value(for: 0, isCurrent: { 999 < $0.firstExpiry }, read: read).types == ["resize"])
        table.value = 2
        #expect(cache.value(for: 0, isCurrent: { 999 < $0.firstExpiry }, read: read).types == ["resize"])
        #expect(cache.value(for: 0, isCurrent: { 1_000 < $0.firstExpiry }, read: read).types == [],
                "at the first announcement's expiry the types are read again")
        #expect(table.reads == 2)
    }
}
