import NIOCore
import PostgresNIO
import QuaeroQueue
import Synchronization

/// Runs an operation on a pooled connection and gives it up when the connection closes under it.
///
/// postgres-nio 1.33.2 can leave an operation waiting forever when the server ends its connection
/// (`pg_terminate_backend`, a restart) while the operation is under way: a worker process stopped making
/// progress with every slot waiting on an ack whose connection was gone and no statement in flight on the
/// server (`MultiNodeTests.terminatedConnections`, 1 run in 2 before this watch). So while the operation runs,
/// the connection is checked every `every`; once it is closed the operation fails with `unavailable` and its
/// outcome unknown. That is safe for every write of the engine: acks, extends and releases are fenced by the
/// delivery's lease, so a write that did commit after all is found no longer current when done again.
/// (The abandoned wait itself stays suspended: a few hundred bytes per closed connection.)
enum ClosedConnectionWatch {
    static func run<T: Sendable>(on connection: PostgresConnection, url: PostgresURL, checkingEvery every: TimeAmount, timers: any EventLoop,
                                 _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let outcome = Outcome<T>()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.set(continuation)
            let work = Task {
                do { outcome.resume(.success(try await body())) } catch { outcome.resume(.failure(error)) }
            }
            let closed = QuaeroError(.unavailable,
                "the connection to PostgreSQL at \(url.endpoint) closed during an operation (the server ended it); its outcome is unknown")
            let timer = timers.scheduleRepeatedTask(initialDelay: every, delay: every) { task in
                if outcome.isResumed {
                    task.cancel()
                } else if connection.isClosed {
                    task.cancel()
                    outcome.resume(.failure(closed))
                    work.cancel()
                }
            }
            outcome.onResume { timer.cancel() }
        }
    }

    /// The first of the body's end and the close, handed to the caller once.
    private final class Outcome<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var resumed = false
            var cleanup: (@Sendable () -> Void)?
        }
        private let state = Mutex(State())

        var isResumed: Bool { state.withLock { $0.resumed } }

        func set(_ continuation: CheckedContinuation<T, any Error>) {
            state.withLock { $0.continuation = continuation }
        }

        /// Runs `cleanup` once resumed (at once when it already is).
        func onResume(_ cleanup: @escaping @Sendable () -> Void) {
            let now = state.withLock { s -> Bool in
                if s.resumed { return true }
                s.cleanup = cleanup
                return false
            }
            if now { cleanup() }
        }

        func resume(_ result: Result<T, any Error>) {
            let (continuation, cleanup) = state.withLock { s -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
                guard !s.resumed else { return (nil, nil) }
                s.resumed = true
                defer { s.continuation = nil; s.cleanup = nil }
                return (s.continuation, s.cleanup)
            }
            continuation?.resume(with: result)
            cleanup?()
        }
    }
}
