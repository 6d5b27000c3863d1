import Synchronization

/// Tells the consumers in this process that a queue may have messages, so that they receive at once instead
/// of waiting for their next poll. A store posts after each commit that sent messages (and on its own hints
/// of other processes' sends, where it has them).
public final class StoreSignals: Sendable {
    private struct Subscriber {
        let queue: String
        let continuation: AsyncStream<Void>.Continuation
    }
    private let subscribers = Mutex<[Int: Subscriber]>([:])
    private let nextID = Atomic<Int>(0)

    /// Creates the signals of one store.
    public init() {}

    /// A stream that yields (coalesced) whenever `queue` may have new messages.
    public func subscribe(queue: String) -> AsyncStream<Void> {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        subscribers.withLock { $0[id] = Subscriber(queue: queue, continuation: continuation) }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }

    /// Wakes the subscribers of `queue`.
    public func post(queue: String) {
        for continuation in continuations(where: { $0.queue == queue }) { continuation.yield() }
    }

    /// Wakes every subscriber (after a reconnect, when sends may have been missed).
    public func postAll() {
        for continuation in continuations(where: { _ in true }) { continuation.yield() }
    }

    /// The continuations of the subscribers that `include` picks, copied out of the lock.
    ///
    /// Never yield while holding the lock: a yield takes the waiting task's status lock, and a task being
    /// cancelled holds that lock while its stream's `onTermination` takes this one (to unsubscribe). Yielding
    /// under the lock deadlocked the two; with both of the machine's concurrency threads caught, `quaero serve`
    /// froze (a test's stack dump on 2026-11-28: one thread in `post` waiting in `flagAsAndEnqueueOnExecutor`,
    /// the other in `_swift_taskGroup_cancel` waiting in `subscribe`'s termination handler).
    private func continuations(where include: (Subscriber) -> Bool) -> [AsyncStream<Void>.Continuation] {
        subscribers.withLock { subscribers in subscribers.values.filter(include).map(\.continuation) }
    }
}
