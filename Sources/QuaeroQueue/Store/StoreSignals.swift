import Synchronization

/// Tells the consumers in this process that a queue may have messages, so that they receive at once instead
/// of waiting for their next poll. A store posts after each commit that sent messages (and on its own hints
/// of other processes' sends, where it has them).
public final class StoreSignals: Sendable {
    private struct Subscriber {
        let queue: String
        let notify: @Sendable () -> Void
    }
    private let subscribers = Mutex<[Int: Subscriber]>([:])
    private let nextID = Atomic<Int>(0)

    /// Creates the signals of one store.
    public init() {}

    /// A stream that yields (coalesced) whenever `queue` may have new messages.
    public func subscribe(queue: String) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let observation = observe(queue: queue) { continuation.yield() }
        continuation.onTermination = { _ in observation.cancel() }
        return stream
    }

    /// Calls `notify` whenever `queue` may have new messages, until the observation is cancelled or released.
    ///
    /// `notify` runs on the poster's thread (the store's, right after a commit), so it must return at once. A
    /// consumer that only needs to be rung saves the task that a stream would resume to ring it: a worker
    /// pool's wake-up from a send in its own process is one task switch shorter (`quaero bench`,
    /// `enqueue_to_start_ms_p50`).
    public func observe(queue: String, _ notify: @escaping @Sendable () -> Void) -> Observation {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        subscribers.withLock { $0[id] = Subscriber(queue: queue, notify: notify) }
        return Observation(signals: self, id: id)
    }

    /// Wakes the subscribers of `queue`.
    public func post(queue: String) {
        for notify in subscribers(where: { $0.queue == queue }) { notify() }
    }

    /// Wakes every subscriber (after a reconnect, when sends may have been missed).
    public func postAll() {
        for notify in subscribers(where: { _ in true }) { notify() }
    }

    /// The subscribers that `include` picks, copied out of the lock.
    ///
    /// Never notify while holding the lock: a stream's yield takes the waiting task's status lock, and a task being
    /// cancelled holds that lock while its stream's `onTermination` takes this one (to unsubscribe). Yielding
    /// under the lock deadlocked the two; with both of the machine's concurrency threads caught, `quaero serve`
    /// froze (a test's stack dump on 2026-11-28: one thread in `post` waiting in `flagAsAndEnqueueOnExecutor`,
    /// the other in `_swift_taskGroup_cancel` waiting in `subscribe`'s termination handler).
    private func subscribers(where include: (Subscriber) -> Bool) -> [@Sendable () -> Void] {
        subscribers.withLock { subscribers in subscribers.values.filter(include).map(\.notify) }
    }

    fileprivate func remove(_ id: Int) {
        _ = subscribers.withLock { $0.removeValue(forKey: id) }
    }

    /// One `observe` call's subscription: cancelled by `cancel()` or when released.
    public final class Observation: Sendable {
        private let signals: StoreSignals
        private let id: Int

        fileprivate init(signals: StoreSignals, id: Int) {
            self.signals = signals
            self.id = id
        }

        /// Stops the notifications (a notification already under way may still run).
        public func cancel() { signals.remove(id) }

        deinit { cancel() }
    }
}
