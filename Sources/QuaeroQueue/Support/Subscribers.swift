import Synchronization

/// The in-process subscribers of a stream of values: each gets every value published after it subscribed.
final class Subscribers<Element: Sendable>: Sendable {
    private struct State {
        var continuations: [Int: AsyncStream<Element>.Continuation] = [:]
        var nextID = 0
    }
    private let state = Mutex(State())

    /// Whether nobody listens, so that a publisher can skip building a value.
    var isEmpty: Bool { state.withLock { $0.continuations.isEmpty } }

    /// The values published from now on (unbounded buffer: a slow reader delays no publisher). Ends when
    /// the task iterating it is cancelled or the stream is dropped.
    func subscribe() -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream<Element>.makeStream()
        let id = state.withLock { s -> Int in
            s.nextID += 1
            s.continuations[s.nextID] = continuation
            return s.nextID
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    /// Hands `value` to every current subscriber.
    func publish(_ value: Element) {
        for continuation in state.withLock({ Array($0.continuations.values) }) { continuation.yield(value) }
    }
}
