import Synchronization

/// Tells the consumers in this process that a queue got a message, so they receive at once instead of
/// waiting for their next poll. Posted after the sending transaction commits.
public final class SendSignal: Sendable {
    private struct Subscriber {
        let queue: String
        let continuation: AsyncStream<Void>.Continuation
    }
    private let subscribers = Mutex<[Int: Subscriber]>([:])
    private let nextID = Atomic<Int>(0)

    init() {}

    /// A stream that yields (coalesced) whenever a message is sent to `queue` by this process.
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
        subscribers.withLock { subscribers in
            for subscriber in subscribers.values where subscriber.queue == queue {
                subscriber.continuation.yield()
            }
        }
    }
}
