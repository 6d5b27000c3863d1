import Foundation
public import Logging
import NIOCore
import NIOPosix
public import QuaeroQueue
import QuaeroPostgresSchema
import Synchronization

/// The PostgreSQL store (DESIGN §13): the engine's tables (and an app's own, through its migration chains) in
/// one PostgreSQL database that any number of processes on any number of machines share.
///
/// Statements run on a pool of connections (`PostgresPool`, `pool_size` of them) as prepared statements, each
/// operation on its connection's thread (libpq, `ConnectionThread`); a write is one transaction on one pooled connection. The single
/// operations (send, receive, extend, delete, release, dead letter) are one statement each, with no transaction
/// around them. Claims lock
/// their rows with `FOR UPDATE SKIP LOCKED`, so concurrent claims in any process take different messages and
/// never wait for each other; acks and extends are fenced by the delivery's lease.
///
/// Wake-ups: a sender tells its own process at commit (`signals`) and other processes with `pg_notify` at most
/// once per queue per 100 ms; each process LISTENs on one dedicated connection, reconnecting with back-off and
/// waking every consumer after a reconnect. Polling (`poll_interval`) stays what guarantees progress.
///
/// Time is the database's (`now()`), so that the leases and heartbeats of processes on different machines
/// compare on one clock; a store opened with a clock (tests) binds that clock's time into every statement.
public final class PostgresStore: QuaeroStore {
    public let clock: any QuaeroClock
    public var signals: StoreSignals { core.signals }
    /// The database, as it may be shown (no password).
    public let url: PostgresURL
    /// The server's version (`server_version`).
    public let serverVersion: String
    let core: PostgresStoreCore
    let connector: PostgresConnector
    let pool: PostgresPool
    private let activity = Activity()
    private let listening: Flag?
    private let listenerReady: Signal<Bool>?
    /// Operations in flight: a wait for a connection past the connect timeout, a connection closed under one.
    private let watch: OperationWatch
    /// The listener and the notifier: they live from `open` to `close` (a store is opened and
    /// closed, not scoped), so they run in one task that `close` cancels and awaits.
    private let background: Mutex<Task<Void, Never>?> = Mutex(nil)
    /// The single sends, receives and acks that tasks on one thread ask for at the same moment, sharing a
    /// statement (`StatementGathering`).
    let sends = StatementGathering<String, NewMessage, SentMessage>()
    let receives = StatementGathering<ReceiveRequest.ClaimGroup, ReceiveRequest, Delivery>()
    let acks = StatementGathering<Int, Receipt, Bool>()

    /// Opens the database at `url` (a `postgres://` URL), refuses a newer schema, and applies pending
    /// migrations: the engine's chain, then `chains`, under an advisory lock so that processes starting at once
    /// migrate once.
    ///
    /// - Parameters:
    ///   - clock: pins the store's time (tests); nil uses the database's.
    /// - Throws: `QuaeroError`: `.invalidArgument` for a bad URL, `.storage` naming the host when the server
    ///   cannot be reached within the connect timeout, `.schemaTooNew`.
    public static func open(_ url: String, options: PostgresStoreOptions = PostgresStoreOptions(), chains: [MigrationChain] = [],
                            clock: (any QuaeroClock)? = nil, logger: Logger = Logger(label: "quaero.postgres")) async throws -> PostgresStore {
        try await open(try PostgresURL(url), options: options, chains: chains, clock: clock, logger: logger)
    }

    /// Opens the database at `url` (see `open(_:options:chains:clock:logger:)`).
    public static func open(_ parsed: PostgresURL, options: PostgresStoreOptions = PostgresStoreOptions(), chains: [MigrationChain] = [],
                            clock: (any QuaeroClock)? = nil, logger: Logger = Logger(label: "quaero.postgres")) async throws -> PostgresStore {
        guard (1...1000).contains(options.poolSize) else {
            throw QuaeroError(.invalidArgument, "the PostgreSQL pool size must be from 1 to 1000, got \(options.poolSize)")
        }
        let connector = PostgresConnector(url: parsed, options: options, logger: logger)
        let connection = try await connector.connect(id: 0)
        do {
            let facts = try await PostgresMigrator(connection: connection, url: parsed, logger: logger)
                .migrate([PostgresEngineSchema.chain] + chains)
            await connection.close()
            let store = PostgresStore(connector: connector, facts: facts, clock: clock, logger: logger)
            await store.listenerStarted()
            return store
        } catch {
            await connection.close()
            throw error
        }
    }

    private init(connector: PostgresConnector, facts: PostgresMigrator.Facts, clock: (any QuaeroClock)?, logger: Logger) {
        self.url = connector.url
        self.connector = connector
        self.serverVersion = facts.serverVersion
        self.clock = clock ?? DatabaseClock(offset: facts.clockOffset)
        // A thread per core (`ConnectionThread`), each for several connections, as pgbench's threads are.
        let pool = PostgresPool(size: connector.options.poolSize, threads: ProcessInfo.processInfo.activeProcessorCount) { thread, place in
            try await connector.connect(id: place + 1, thread: thread)
        }
        self.pool = pool
        watch = OperationWatch(loop: MultiThreadedEventLoopGroup.singleton.any(), timeout: connector.timeout, url: connector.url) {
            await PostgresStore.unreachable(connector)
        }
        let notifier = PostgresNotifier(channel: facts.channel)
        core = PostgresStoreCore(url: connector.url, options: connector.options, logger: logger, pinnedClock: clock,
                                 signals: StoreSignals(), notifier: notifier, channel: facts.channel)
        let listener = connector.options.pollOnly
            ? nil : PostgresListener(connector: connector, channel: facts.channel, signals: core.signals, sender: notifier.sender)
        self.listening = listener?.listening
        self.listenerReady = listener?.ready
        let notifying = NotifyConnection(connector: connector)
        let send: @Sendable (String) async -> Void = { [logger, url = connector.url] queue in
            do {
                try await notifying.notify(facts.channel, notifier.payload(queue))
            } catch {
                logger.debug("could not notify other processes; they find the messages at their next poll",
                              metadata: ["queue": "\(queue)", "error": "\(PostgresErrors.map(error, url: url, doing: "notifying"))"])
            }
        }
        background.withLock {
            $0 = Task {
                await withDiscardingTaskGroup { group in
                    group.addTask {
                        await notifier.run(send: send)
                        await notifying.close()
                    }
                    if let listener { group.addTask { await listener.run() } }
                }
            }
        }
    }

    /// Waits until the LISTEN connection is up (or could not be made, or the connect timeout passed; then
    /// polls find other processes' messages): another process's send after `open` returned is never missed,
    /// and the first LISTEN wakes nobody at some later moment.
    private func listenerStarted() async {
        guard let listenerReady else { return }
        let timeout = connector.timeout
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await listenerReady.wait() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    public var description: String { "PostgreSQL \(serverVersion) at \(url)" }

    /// The options it was opened with.
    public var options: PostgresStoreOptions { core.options }

    /// Whether this process's LISTEN connection is up (false with `poll_only`, and while it reconnects).
    public var isListening: Bool { listening?.isSet ?? false }

    public var maintenanceInterval: Duration? { core.options.vacuumInterval }

    /// True: a write of its own per job end costs about eight round trips, and concurrent ends wait on each
    /// other's counter rows (see `EndBatcher`).
    public var batchesJobEnds: Bool { true }

    /// The threads of the pool's first `count` places (`PostgresPool.affinity`): a task there is lent that
    /// place's connection when it is free, and runs its statements on its own thread.
    public func affinityExecutors(_ count: Int) -> [any TaskExecutor] { pool.affinity(count) }

    // MARK: Transactions

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) async throws -> T) async throws -> T {
        try await transaction(body)
    }

    /// Runs `body` in one write transaction with the PostgreSQL connection at hand: an app's own rows (through
    /// `tx.rows` and `tx.command`) and the engine's operations commit together.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresTransaction) async throws -> T) async throws -> T {
        try await inTransaction("BEGIN", body)
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) async throws -> T) async throws -> T {
        // One snapshot for every statement of the body, without taking any lock.
        try await inTransaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    private func inTransaction<T: Sendable>(_ begin: String, _ body: @escaping @Sendable (PostgresTransaction) async throws -> T) async throws -> T {
        let core = self.core
        return try await withConnection { connection in
            let tx = PostgresTransaction(connection: connection, core: core)
            do {
                try await connection.awaitSimple(begin)
            } catch {
                throw PostgresErrors.map(error, url: core.url, doing: "starting a transaction")
            }
            let value: T
            do {
                value = try await body(tx)
            } catch {
                // A connection that broke is dropped by the pool; its transaction went with it.
                try? await connection.awaitSimple("ROLLBACK")
                throw error
            }
            do {
                try await connection.awaitSimple("COMMIT")
            } catch {
                let inner = PostgresErrors.map(error, url: core.url, doing: "committing")
                if let server = inner as? QuaeroError, server.storeCode != nil { throw inner }
                // The connection broke during COMMIT: the transaction may or may not have committed.
                throw QuaeroError(.storage, "the outcome of a commit on PostgreSQL at \(core.url.endpoint) is unknown: \(inner)")
            }
            // Right after the commit, on the connection's thread: a consumer in this process that claims what
            // the transaction stored (its own claim, not the wake-up, may come first) then rarely hears of it
            // before the transaction's own events, where a hop back to the caller's executor left milliseconds
            // in between under load.
            core.committed(tx)
            return value
        }
    }

    /// Runs `body` with a pooled connection, on that connection's thread (`ConnectionThread`). While none is
    /// free, it waits, and fails (naming the host) when it waited a connect timeout and the server cannot be
    /// reached (`OperationWatch`).
    ///
    /// The operation runs in a task of its own, which the caller's cancellation does not reach: a write that
    /// started runs to its end (a log flush at shutdown, say), as it does on SQLite's writer. It fails with
    /// `unavailable` when its connection closes under it (`OperationWatch`).
    ///
    /// A caller that runs on a place's thread (`affinityExecutors`) whose connection is free runs the operation
    /// itself, in its own task: no task, no watch and no switch between threads of its own (a third less CPU
    /// per send at 4 connections, docs/postgresql.md). Such a caller chose to: its cancellation reaches the
    /// operation, and a transaction it cancels rolls back whole. It needs no watch: libpq's calls return with
    /// an error when the server ends the connection, and TCP keepalives bound a silent cut.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try activity.enter(url)
        defer { activity.leave() }
        let (pool, url, watch) = (self.pool, self.url, self.watch)
        let own: PostgresConnection?
        do {
            if let idle = try pool.leaseOwn() { own = idle } else { own = try await pool.makeOwn() }
        } catch {
            throw PostgresErrors.map(error, url: url, doing: "connecting")
        }
        if let own {
            defer { pool.release(own) }
            do {
                return try await body(own)
            } catch {
                throw PostgresErrors.map(error, url: url, doing: "running a statement")
            }
        }
        let entry = watch.entry()
        let outcome = OperationOutcome<T>()
        let lease = PostgresPool.Lease(pool: pool)
        @Sendable func run(_ connection: PostgresConnection) async {
            lease.hold(connection)
            entry.leased(connection)
            do {
                outcome.resume(.success(try await body(connection)))
            } catch {
                outcome.resume(.failure(PostgresErrors.map(error, url: url, doing: "running a statement")))
            }
            lease.giveBack()
            watch.done(entry)
        }
        let task: Task<Void, Never>
        if let free = try pool.leaseIfIdle() {
            // A free connection: the task starts on its thread and stays there.
            task = Task(executorPreference: free.thread) { await run(free) }
        } else {
            task = Task {
                let connection: PostgresConnection
                do {
                    connection = try await pool.lease()
                } catch {
                    outcome.resume(.failure(PostgresErrors.map(error, url: url, doing: "connecting")))
                    watch.done(entry)
                    return
                }
                await withTaskExecutorPreference(connection.thread) { await run(connection) }
            }
        }
        watch.watch(entry) { failure in
            outcome.resume(.failure(failure))
            // A closed connection's place is free for a new one, though the operation may never return.
            lease.giveBack()
            task.cancel()
        }
        return try await withCheckedThrowingContinuation { outcome.set($0) }
    }

    /// Why the server cannot be reached (refused, no such database, ...), as a direct connection finds; nil
    /// when it connects.
    private static func unreachable(_ connector: PostgresConnector) async -> QuaeroError? {
        do {
            let probe = try await connector.connect(id: -1)
            await probe.close()
            return nil
        } catch {
            return connector.unreachable(within: connector.timeout, because: error)
        }
    }

    /// Runs one statement on a pooled connection, outside any transaction (it commits by itself).
    func autocommit<T: Sendable>(_ body: @escaping @Sendable (PostgresTransaction) async throws -> T) async throws -> T {
        let core = self.core
        return try await withConnection { connection in
            let tx = PostgresTransaction(connection: connection, core: core)
            let value = try await body(tx)
            core.committed(tx)  // as in `inTransaction`
            return value
        }
    }

    public func close() async {
        await activity.close()
        let task = background.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
        await pool.close()
    }
}

/// What every transaction of one store needs.
final class PostgresStoreCore: Sendable {
    let url: PostgresURL
    let options: PostgresStoreOptions
    let logger: Logger
    /// The clock a test pinned the store's time to, if any.
    let pinnedClock: (any QuaeroClock)?
    let signals: StoreSignals
    let notifier: PostgresNotifier
    /// The NOTIFY channel of this database and schema.
    let channel: String
    /// The queues whose claims judge flow-control limits now.
    let limitSightings = LimitSightings()

    init(url: PostgresURL, options: PostgresStoreOptions, logger: Logger, pinnedClock: (any QuaeroClock)?, signals: StoreSignals,
         notifier: PostgresNotifier, channel: String) {
        self.url = url
        self.options = options
        self.logger = logger
        self.pinnedClock = pinnedClock
        self.signals = signals
        self.notifier = notifier
        self.channel = channel
    }

    /// Runs `tx`'s actions after its commit, then wakes this process's consumers of the queues it sent to, and
    /// (at most every 100 ms) other processes', unless the store polls only.
    func committed(_ tx: PostgresTransaction) {
        tx.commitActions.run { queue in
            signals.post(queue: queue)
            if !options.pollOnly { notifier.request(queue) }
        }
    }
}

/// Operations in flight, so that `close` waits for them; after `close`, new ones fail with `closed`.
final class Activity: Sendable {
    private struct State {
        var running = 0
        var closed = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    func enter(_ url: PostgresURL) throws {
        try state.withLock { s in
            guard !s.closed else { throw QuaeroError(.closed, "the PostgreSQL store of \(url) is closed") }
            s.running += 1
        }
    }

    func leave() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.running -= 1
            guard s.closed, s.running == 0 else { return [] }
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                s.closed = true
                if s.running == 0 { return true }
                s.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
