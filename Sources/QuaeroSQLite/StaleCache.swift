import Dispatch
import QuaeroQueue
import Synchronization

/// What a claim last read of a small table it consults every time (a queue's pauses, the live remote workers'
/// types), read again once it is `staleness` old or no longer current.
///
/// A claim that probed the pauses table every time spent about 1.5 µs more (measured here with the C API on
/// SQLite 3.40), around 5 % of a receive and delete; the remote workers' table cost a statement per claim as
/// well (a fifth of the statements of `jobs_per_s`, counted on 2026-11-28). A change made through this store
/// is seen at once (the write empties the cache); one made by another process within the staleness, which
/// the store protocol allows for pauses (`QueuePause.staleness`).
final class StaleCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        let value: Value
        /// When it must be read again, in `DispatchTime` nanoseconds (monotonic).
        let expires: UInt64
    }
    private let entries = Mutex<[Key: Entry]>([:])
    /// The staleness in nanoseconds: comparing plain integers costs less than `Duration` arithmetic, which
    /// showed in the profile of every claim.
    private let stalenessNanos: UInt64

    init(staleness: Duration) {
        stalenessNanos = UInt64(staleness.components.seconds) * 1_000_000_000
            + UInt64(staleness.components.attoseconds / 1_000_000_000)
    }

    /// The value for `key`: from the cache while it is fresh and `isCurrent` says it still holds, else from `read`.
    func value(for key: Key, isCurrent: (Value) -> Bool = { _ in true }, read: () throws -> Value) rethrows -> Value {
        let now = DispatchTime.now().uptimeNanoseconds
        if let entry = entries.withLock({ $0[key] }), now < entry.expires, isCurrent(entry.value) { return entry.value }
        let value = try read()
        entries.withLock { $0[key] = Entry(value: value, expires: now + stalenessNanos) }
        return value
    }

    /// Forgets every value (what they were read from changed through this store).
    func invalidate() {
        entries.withLock { $0.removeAll() }
    }

    /// Forgets every value now, so that a read later in `connection`'s transaction sees its change, and again
    /// after the commit, so that no reader keeps what it read in between.
    func invalidate(through connection: Connection) {
        invalidate()
        connection.afterCommit { self.invalidate() }
    }
}
