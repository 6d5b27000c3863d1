import NIOCore
import QuaeroQueue
import Synchronization

/// Watches every operation of one store in flight, with one timer for all of them, so that an operation costs no
/// timer of its own (a timer armed and cancelled per operation woke another thread twice per statement:
/// docs/postgresql.md, "What limits them").
///
/// It gives an operation up in two cases, both checked every `every` (250 ms):
/// - it still waits for a pooled connection after the connect timeout and a connection of the watch's own
///   cannot reach the server either: the pool's connections may all hang on a server gone without closing
///   them (a network cut), but a pool that is merely busy (more concurrent writes than `pool_size`) must be
///   waited for, however long its queue; the server is probed at most once per connect timeout.
/// - its connection closed under it and the operation has not returned: the wait for a reply ends with an
///   error when the server ends a connection, so this is a guard, as it was needed with postgres-nio 1.33.2 (an
///   operation left waiting forever after `pg_terminate_backend`). It fails with `unavailable` and its outcome
///   unknown: safe for every write of the engine, whose acks, extends and releases are fenced by the lease.
///
/// The timer runs only while operations are in flight: it is armed by the first one and stops at a tick that
/// finds none.
final class OperationWatch: Sendable {
    /// One operation: waiting for its connection until `leased`, then running on it.
    final class Entry: Sendable {
        fileprivate let id: Int
        fileprivate let since: ContinuousClock.Instant
        private struct State {
            var connection: PostgresConnection?
            var done = false
        }
        private let state = Mutex(State())

        fileprivate init(id: Int) {
            self.id = id
            self.since = .now
        }

        /// The connection was handed over: the wait is over.
        func leased(_ connection: PostgresConnection) { state.withLock { $0.connection = connection } }

        fileprivate var connection: PostgresConnection? { state.withLock { $0.connection } }
        fileprivate var isWaiting: Bool { state.withLock { $0.connection == nil && !$0.done } }
        fileprivate var isDone: Bool { state.withLock { $0.done } }
        fileprivate func finish() { state.withLock { $0.done = true } }
    }

    private struct Watched {
        let entry: Entry
        let fail: @Sendable (QuaeroError) -> Void
    }
    private struct State {
        var nextID = 0
        var entries: [Int: Watched] = [:]
        var timer: RepeatedTask?
        var probing = false
        var lastProbe: ContinuousClock.Instant?
    }
    private let state = Mutex(State())
    private let loop: any EventLoop
    private let every: TimeAmount
    private let timeout: Duration
    private let url: PostgresURL
    /// Why the server cannot be reached, or nil when a connection of the watch's own connects.
    private let probe: @Sendable () async -> QuaeroError?

    init(loop: any EventLoop, every: TimeAmount = .milliseconds(250), timeout: Duration, url: PostgresURL,
         probe: @escaping @Sendable () async -> QuaeroError?) {
        self.loop = loop
        self.every = every
        self.timeout = timeout
        self.url = url
        self.probe = probe
    }

    /// A new operation, not yet watched (`watch` starts it).
    func entry() -> Entry {
        Entry(id: state.withLock { s in
            defer { s.nextID &+= 1 }
            return s.nextID
        })
    }

    /// Watches `entry` until `done`; `fail` gives the operation up (called at most once, never after `done`).
    func watch(_ entry: Entry, fail: @escaping @Sendable (QuaeroError) -> Void) {
        let arm = state.withLock { s -> Bool in
            // The operation may have ended before it was watched.
            guard !entry.isDone else { return false }
            s.entries[entry.id] = Watched(entry: entry, fail: fail)
            return s.timer == nil
        }
        guard arm else { return }
        let timer = loop.scheduleRepeatedTask(initialDelay: every, delay: every) { [weak self] task in
            guard let self else { return task.cancel() }
            self.tick(task)
        }
        let stale = state.withLock { s -> Bool in
            guard s.timer == nil else { return true }
            s.timer = timer
            return false
        }
        if stale { timer.cancel() }
    }

    /// The operation ended: it is no longer watched.
    func done(_ entry: Entry) {
        entry.finish()
        _ = state.withLock { $0.entries.removeValue(forKey: entry.id) }
    }

    private func tick(_ task: RepeatedTask) {
        let now = ContinuousClock.now
        let (closed, overdue, shouldProbe) = state.withLock { s -> ([Watched], Bool, Bool) in
            if s.entries.isEmpty {
                if s.timer === task { s.timer = nil }
                task.cancel()
                return ([], false, false)
            }
            var closed: [Watched] = []
            var overdue = false
            for watched in s.entries.values {
                if let connection = watched.entry.connection {
                    if connection.isClosed { closed.append(watched) }
                } else if now - watched.entry.since >= timeout {
                    overdue = true
                }
            }
            for watched in closed { s.entries[watched.entry.id] = nil }
            let due = overdue && !s.probing && (s.lastProbe.map { now - $0 >= timeout } ?? true)
            if due { s.probing = true }
            return (closed, overdue, due)
        }
        if !closed.isEmpty {
            let error = QuaeroError(.unavailable,
                "the connection to PostgreSQL at \(url.endpoint) closed during an operation (the server ended it); its outcome is unknown")
            for watched in closed { watched.fail(error) }
        }
        guard overdue, shouldProbe else { return }
        Task {
            let failure = await self.probe()
            let given = self.state.withLock { s -> [Watched] in
                s.probing = false
                s.lastProbe = .now
                guard failure != nil else { return [] }
                // Every operation that waited a whole timeout by the probe's end is given up.
                let now = ContinuousClock.now
                let given = s.entries.values.filter { $0.entry.isWaiting && now - $0.entry.since >= self.timeout }
                for watched in given { s.entries[watched.entry.id] = nil }
                return given
            }
            if let failure { for watched in given { watched.fail(failure) } }
        }
    }
}

/// The first of an operation's end and its abandonment, handed to the caller once.
final class OperationOutcome<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var resumed = false
    }
    private let state = Mutex(State())

    /// The caller's continuation (resumed at once when the outcome came before it).
    func set(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { s -> Result<T, any Error>? in
            if let early = s.early { return early }
            s.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    /// Hands `result` over unless an outcome came first.
    func resume(_ result: Result<T, any Error>) {
        let continuation = state.withLock { s -> CheckedContinuation<T, any Error>? in
            guard !s.resumed else { return nil }
            s.resumed = true
            guard let continuation = s.continuation else {
                s.early = result
                return nil
            }
            s.continuation = nil
            return continuation
        }
        continuation?.resume(with: result)
    }
}
