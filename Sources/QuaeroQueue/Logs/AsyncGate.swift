import DequeModule
import Synchronization

/// A first-come, first-served lock for async code: holders may suspend while holding it, and waiters
/// wait on a continuation, never on a thread.
///
/// Flushes take it so that batches commit in the order they were taken from the buffer; that is what
/// keeps row ids in append order.
final class AsyncGate: Sendable {
    private struct State {
        var held = false
        var waiters: Deque<CheckedContinuation<Void, Never>> = []
    }
    private let state = Mutex(State())

    /// Runs `body` holding the gate. Not cut short by cancellation: a flush owes its lines a write.
    func withGate<T>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        let acquired = state.withLock { s -> Bool in
            if s.held { return false }
            s.held = true
            return true
        }
        if acquired { return }
        await withCheckedContinuation { continuation in
            let acquiredNow = state.withLock { s -> Bool in
                if s.held {
                    s.waiters.append(continuation)
                    return false
                }
                s.held = true
                return true
            }
            if acquiredNow { continuation.resume() }
        }
    }

    /// Hands the gate to the next waiter (it stays held), or frees it.
    private func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let next = s.waiters.popFirst() { return next }
            s.held = false
            return nil
        }
        next?.resume()
    }
}
