import CSQLite
import DequeModule
import QuaeroQueue
import Synchronization

/// The single writer of a database: it serializes writes and commits concurrent ones together.
///
/// There is no writer thread. The first caller to find the writer idle becomes the *leader*: it runs its
/// own body, plus every body that queued up meanwhile, in one transaction (each body in its own savepoint),
/// then hands leadership to the next waiting caller, if any. One caller alone pays for one transaction and
/// no thread hop (the speed of the plain C API); many callers share a commit (group commit). Waiting callers
/// wait asynchronously on a continuation, never on a lock.
///
/// Invariant behind `@unchecked Sendable`: `connection` is touched only by the current leader, and
/// `state.leading` (guarded by the mutex) says whether one exists.
final class Writer: @unchecked Sendable {
    private let connection: Connection
    private let busyTimeout: Duration
    /// Copies the WAL back in the background (nil in memory).
    let checkpointer: Checkpointer?
    private let state = Mutex(State())
    private let transactions = Atomic<Int>(0)
    private let writes = Atomic<Int>(0)

    /// Writes waiting for the current leader.
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Write transactions committed or attempted, and the write bodies they carried.
    var statistics: WriteStatistics {
        WriteStatistics(transactions: transactions.load(ordering: .relaxed), writes: writes.load(ordering: .relaxed))
    }

    private struct State {
        var leading = false
        var closed = false
        var waiting: Deque<any PendingWrite> = []
        /// Whether the last transaction carried more than one write: callers are contending.
        var contended = false
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
    }

    init(connection: Connection, busyTimeout: Duration, checkpointer: Checkpointer? = nil) {
        self.connection = connection
        self.busyTimeout = busyTimeout
        self.checkpointer = checkpointer
        checkpointer?.attach(to: connection)
    }

    /// Runs `body` in a write transaction, alone or grouped with concurrent writes.
    func write<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let pending = Pending(.sync(body))
        try await submit(pending)
        return try pending.result!.get()
    }

    /// As `write`, for a body that changes the database with one statement at most, before anything else that
    /// can throw: SQLite undoes a failed statement by itself, so in a group the body needs no savepoint of its
    /// own. Two statements less per grouped body (SAVEPOINT, RELEASE) for the single operations that are one
    /// statement (send, delete, extend): measured in `lifecycle_4_workers_per_s`.
    func writeOneStatement<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let pending = Pending(.sync(body), oneStatement: true)
        try await submit(pending)
        return try pending.result!.get()
    }

    /// As `write`, with a body that may await (the store's transactions for the engine). A body that never
    /// suspends costs a few async frames more than a synchronous one; the queue's single operations use
    /// `write` (measured: about a tenth of `send_per_s`).
    func writeAsync<T: Sendable>(_ body: @escaping @Sendable (Connection) async throws -> T) async throws -> T {
        let pending = Pending(.async(body))
        try await submit(pending)
        return try pending.result!.get()
    }

    /// Runs `body` on the connection outside any transaction, once no write is running (for checkpoints).
    func withConnectionOutsideTransaction(_ body: @escaping @Sendable (Connection) throws -> Void) async throws {
        let pending = Pending<Void>(.sync(body), transactional: false)
        try await submit(pending)
        try pending.result!.get()
    }

    /// Leads at once when the writer is idle (no suspension: the fast path of a lone caller), otherwise
    /// queues `pending` and waits until a leader has run it or has handed leadership over.
    private func submit(_ pending: any PendingWrite) async throws {
        enum Role { case leader, follower, closed }
        let role: Role = state.withLock { s in
            if s.closed { return .closed }
            if s.leading { return .follower }
            s.leading = true
            return .leader
        }
        switch role {
        case .closed:
            throw QuaeroError(.closed, "the database was closed; open it again to write")
        case .leader:
            // Under contention, let the callers that the last commit just woke queue up behind us first, so
            // that they share this transaction instead of each starting one of its own. A lone caller never
            // pays for this.
            if state.withLock({ $0.contended }) { await Task.yield() }
            await lead(first: pending)
        case .follower:
            enum Turn { case lead, done, closed }
            let turn: Turn = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                pending.continuation = continuation
                let enqueued = state.withLock { s -> Bool? in
                    if s.leading {
                        s.waiting.append(pending)
                        return true
                    }
                    // The leader finished between our two looks at the state.
                    if s.closed { return nil }
                    s.leading = true
                    return false
                }
                switch enqueued {
                case true?: break
                case false?: continuation.resume(returning: true)
                case nil: continuation.resume(returning: false)
                }
            } ? .lead : (pending.hasRun ? .done : .closed)
            switch turn {
            case .lead: await lead(first: pending)
            case .done: break
            case .closed: throw QuaeroError(.closed, "the database was closed; open it again to write")
            }
        }
    }

    /// Marks the writer closed, waits for the current leader to finish, then closes the connection.
    func close() async {
        let mustWait = state.withLock { s -> Bool in
            s.closed = true
            return s.leading
        }
        if mustWait {
            await withCheckedContinuation { continuation in
                let stillLeading = state.withLock { s -> Bool in
                    if s.leading { s.closeWaiters.append(continuation) }
                    return s.leading
                }
                if !stillLeading { continuation.resume() }
            }
        }
        // Nobody leads and nobody can start to (closed is set): the connection is ours to close.
        if let checkpointer {
            checkpointer.detach(from: connection)
            await checkpointer.close()
        }
        connection.close()
    }

    // MARK: - Leading

    /// Runs `first` and everything queued behind it, then passes leadership on or gives it up.
    private func lead(first: any PendingWrite) async {
        var group: [any PendingWrite] = [first]
        if first.transactional {
            state.withLock { s in
                // A write that must run outside a transaction waits for the next round, alone.
                while let next = s.waiting.first, next.transactional {
                    group.append(s.waiting.removeFirst())
                }
                s.contended = group.count > 1
            }
        }
        if group.count == 1, !first.transactional {
            await first.runOutsideTransaction(connection)
        } else {
            await runGroup(group)
        }
        for other in group.dropFirst() { other.resume(promoted: false) }
        let (next, waiters): ((any PendingWrite)?, [CheckedContinuation<Void, Never>]) = state.withLock { s in
            if let next = s.waiting.popFirst() { return (next, []) }
            s.leading = false
            let waiters = s.closeWaiters
            s.closeWaiters = []
            return (nil, waiters)
        }
        next?.resume(promoted: true)
        for waiter in waiters { waiter.resume() }
    }

    private func runGroup(_ group: [any PendingWrite]) async {
        transactions.add(1, ordering: .relaxed)
        writes.add(group.count, ordering: .relaxed)
        checkpointer?.beforeTransaction(on: connection)
        do {
            try await begin()
        } catch {
            for pending in group { pending.fail(error) }
            return
        }
        if group.count == 1 {
            // A lone body needs no savepoint: on failure the whole transaction goes.
            if !(await group[0].isAsync ? group[0].runAsync(connection) : group[0].run(connection)) {
                try? connection.prepare(TransactionSQL.rollback).run()
                connection.discardAfterCommit(from: 0)
                connection.counters.removeAll()
                return
            }
        } else {
            for pending in group {
                let mark = connection.afterCommitCount
                let counted = connection.counters.count
                let ran = pending.isAsync ? await pending.runInSavepointAsync(connection)
                    : pending.oneStatement ? pending.run(connection) : pending.runInSavepoint(connection)
                if !ran {
                    connection.discardAfterCommit(from: mark)
                    connection.counters.discard(from: counted)
                    // After some errors (I/O, a full disk, out of memory) SQLite rolls back the whole
                    // transaction (https://sqlite.org/lang_transaction.html, "Response To Errors Within A
                    // Transaction"): then nothing of the group is stored, and no later body may run outside it.
                    if connection.isAutocommit {
                        connection.discardAfterCommit(from: 0)
                        connection.counters.removeAll()
                        let error = QuaeroError(.storage,
                            "SQLite rolled back a grouped write transaction after an error in one of its writes; nothing of it was stored, try again")
                        for pending in group { pending.fail(error) }
                        return
                    }
                }
            }
        }
        do {
            // The counters of every body that ran, in the same transaction.
            try connection.counters.write(on: connection)
            try connection.prepare(TransactionSQL.commit).run()
            connection.runAfterCommit()
        } catch {
            try? connection.exec("ROLLBACK")
            connection.discardAfterCommit(from: 0)
            connection.counters.removeAll()
            for pending in group { pending.fail(error) }
        }
    }

    /// `BEGIN IMMEDIATE`, waiting asynchronously (with backoff, up to the busy timeout) while another
    /// process holds the write lock, so no concurrency thread sleeps inside SQLite's busy handler (the
    /// connection's own busy timeout is 0 once the database is open).
    private func begin() async throws {
        let begin = try connection.prepare(TransactionSQL.begin)
        try await retryingWhileBusy("stayed locked by another process") { try begin.run() }
    }

    /// Copies the whole WAL into the database file and truncates it, once no write runs and no background
    /// copy does; waits asynchronously (up to the busy timeout) for other connections' locks.
    func checkpoint() async throws {
        try await retryingWhileBusy("could not be checkpointed: other connections kept reading or writing") {
            await checkpointer?.waitForCopy()
            try await withConnectionOutsideTransaction { try $0.checkpoint(SQLITE_CHECKPOINT_TRUNCATE) }
        }
    }

    /// Runs `operation` until it does not answer busy, waiting asynchronously up to the busy timeout.
    private func retryingWhileBusy(_ what: String, _ operation: () async throws -> Void) async throws {
        try await BusyWait(timeout: busyTimeout, path: connection.path).run(what, operation)
    }
}

/// The statements that delimit write transactions and savepoints.
enum TransactionSQL {
    static let begin = SQLStatement("BEGIN IMMEDIATE")
    static let commit = SQLStatement("COMMIT")
    static let rollback = SQLStatement("ROLLBACK")
    static let savepoint = SQLStatement("SAVEPOINT w")
    static let releaseSavepoint = SQLStatement("RELEASE w")
    static let rollbackToSavepoint = SQLStatement("ROLLBACK TO w")
}

/// How much group commit folded: `writes` bodies ran in `transactions` transactions.
public struct WriteStatistics: Sendable, Equatable {
    /// Write transactions run.
    public let transactions: Int
    /// Write bodies run in them.
    public let writes: Int
}

/// A write waiting for (or being run by) a leader.
private protocol PendingWrite: AnyObject, Sendable {
    var transactional: Bool { get }
    /// Whether the body writes with one statement at most (see `Writer.writeOneStatement`).
    var oneStatement: Bool { get }
    var continuation: CheckedContinuation<Bool, Never>? { get set }
    /// Whether a leader ran (or failed) this write.
    var hasRun: Bool { get }
    /// Whether the body may await (then the `Async` forms run it).
    var isAsync: Bool { get }
    /// Runs a synchronous body; false when it threw.
    func run(_ connection: Connection) -> Bool
    /// Runs the body; false when it threw.
    func runAsync(_ connection: Connection) async -> Bool
    /// Runs a synchronous body inside a savepoint; false when it threw (its writes are rolled back).
    func runInSavepoint(_ connection: Connection) -> Bool
    /// Runs the body inside a savepoint; false when it threw (its writes are rolled back).
    func runInSavepointAsync(_ connection: Connection) async -> Bool
    func runOutsideTransaction(_ connection: Connection) async
    func fail(_ error: any Error)
    func resume(promoted: Bool)
}

/// Invariant behind `@unchecked Sendable`: `result` and `continuation` are written by the waiting caller
/// before it enqueues, and by the leader after it dequeues; the mutex hand-off orders the two.
private final class Pending<T: Sendable>: PendingWrite, @unchecked Sendable {
    enum Body {
        case sync(@Sendable (Connection) throws -> T)
        case async(@Sendable (Connection) async throws -> T)
    }

    let body: Body
    let transactional: Bool
    let oneStatement: Bool
    var result: Result<T, any Error>?
    var continuation: CheckedContinuation<Bool, Never>?
    var hasRun: Bool { result != nil }
    var isAsync: Bool { if case .async = body { true } else { false } }

    init(_ body: Body, transactional: Bool = true, oneStatement: Bool = false) {
        self.body = body
        self.transactional = transactional
        self.oneStatement = oneStatement
    }

    /// Runs the body and keeps its result; false when it threw.
    private func record(_ run: () throws -> T) -> Bool {
        do {
            result = .success(try run())
            return true
        } catch {
            result = .failure(error)
            return false
        }
    }

    func run(_ connection: Connection) -> Bool {
        guard case .sync(let body) = body else { preconditionFailure("an async body runs with runAsync") }
        return record { try body(connection) }
    }

    func runAsync(_ connection: Connection) async -> Bool {
        switch body {
        case .sync(let body):
            return record { try body(connection) }
        case .async(let body):
            do {
                result = .success(try await body(connection))
                return true
            } catch {
                result = .failure(error)
                return false
            }
        }
    }

    func runInSavepoint(_ connection: Connection) -> Bool {
        do {
            try connection.prepare(TransactionSQL.savepoint).run()
        } catch {
            result = .failure(error)
            return false
        }
        return endSavepoint(run(connection), connection)
    }

    func runInSavepointAsync(_ connection: Connection) async -> Bool {
        do {
            try connection.prepare(TransactionSQL.savepoint).run()
        } catch {
            result = .failure(error)
            return false
        }
        return endSavepoint(await runAsync(connection), connection)
    }

    /// Releases the savepoint of a body that succeeded, or rolls back to it.
    private func endSavepoint(_ succeeded: Bool, _ connection: Connection) -> Bool {
        if succeeded {
            do {
                try connection.prepare(TransactionSQL.releaseSavepoint).run()
                return true
            } catch {
                result = .failure(error)
            }
        }
        try? connection.prepare(TransactionSQL.rollbackToSavepoint).run()
        try? connection.prepare(TransactionSQL.releaseSavepoint).run()
        return false
    }

    func runOutsideTransaction(_ connection: Connection) async {
        _ = await runAsync(connection)
    }

    /// The transaction did not commit: whatever the body returned, its writes are gone.
    func fail(_ error: any Error) {
        result = .failure(error)
    }

    func resume(promoted: Bool) {
        continuation?.resume(returning: promoted)
        continuation = nil
    }
}
