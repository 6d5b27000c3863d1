import NIOCore
import QuaeroQueue
import Synchronization

/// One wait for a pooled connection, watched so that it fails within the connect timeout when the server
/// cannot be reached, and only then: postgres-nio's pool waits without a deadline while it retries connecting
/// (vapor/postgres-nio#574), but a pool that is merely busy (more concurrent writes than `pool_size`) must be
/// waited for, however long its queue.
final class ConnectionWait: Sendable {
    private struct State {
        var leased = false
        var finished = false
        var failure: QuaeroError?
        var timer: Scheduled<Void>?
    }
    private let state = Mutex(State())

    /// The connection was handed over: the wait is over.
    func leased() { state.withLock { $0.leased = true } }

    /// Whether the operation still waits for its connection.
    var isWaiting: Bool { state.withLock { !$0.leased && !$0.finished && $0.failure == nil } }

    /// Why the wait was given up (the server is unreachable), if it was.
    var failure: QuaeroError? { state.withLock { $0.failure } }

    /// Gives the wait up with `error`; false when the connection came first.
    func fail(_ error: QuaeroError) -> Bool {
        state.withLock { s in
            guard !s.leased, !s.finished, s.failure == nil else { return false }
            s.failure = error
            return true
        }
    }

    /// The timer of the next check (replacing the last one's).
    func setTimer(_ timer: Scheduled<Void>) {
        let stale = state.withLock { s -> Bool in
            s.timer = timer
            return s.finished
        }
        if stale { timer.cancel() }
    }

    /// The operation ended: no more checks.
    func finish() {
        let timer = state.withLock { s -> Scheduled<Void>? in
            s.finished = true
            defer { s.timer = nil }
            return s.timer
        }
        timer?.cancel()
    }
}
