/// Where the engine keeps its messages, jobs, worker pools and logs: the one seam between the engine and a
/// database (DESIGN §2).
///
/// The engine (Queue, JobManager, WorkerPool, LogService) reaches storage only through this protocol and the
/// transaction and reader handles it gives out, in its own vocabulary: send, claim, extend, finish, release,
/// dead letters, stats, pool heartbeats, job records and logs. How a store commits is its own business:
/// the SQLite store runs every write on one connection and commits concurrent writes together; the
/// PostgreSQL store runs them on a pool of connections.
///
/// Times: the store stamps and compares every stored time with its `clock` (UTC milliseconds), so callers
/// pass durations (a visibility timeout, a delay), never absolute times.
public protocol QuaeroStore: Sendable, CustomStringConvertible {
    /// The time every stored time and every lease, delay and heartbeat is measured by.
    var clock: any QuaeroClock { get }
    /// Tells this process's consumers that a queue may have work: posted after each commit that sent
    /// messages, and by the store's own hints (another process's sends) where it has them.
    var signals: StoreSignals { get }

    /// Runs `body` in one write transaction and returns its result: everything `body` did commits together,
    /// or nothing does when it throws.
    ///
    /// `body` must not start or end transactions itself, and must not wait on anything but the transaction
    /// (the store may hold a connection, or every other writer, while it runs).
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) async throws -> T) async throws -> T

    /// Runs `body` on a consistent read-only view that does not wait for writers.
    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) async throws -> T) async throws -> T

    /// Waits for running writes, then releases every connection. Later calls fail with `closed`.
    func close() async

    /// Read transactions this handle has begun, every reader of this process included (nil when the store
    /// does not count them): `GET /metrics` shows it, so a benchmark can see what open dashboards cost.
    var readsBegun: Int? { get }

    /// Whether worker pools record the ends of their successful attempts together (one write for those that
    /// gathered while the previous one ran: `EndBatcher`) rather than one write each. True where each write
    /// costs round trips and concurrent writers wait on each other's rows (PostgreSQL), and where it saves
    /// statements on top of a group commit (SQLite: the slots' next messages claimed in one).
    var batchesJobEnds: Bool { get }

    /// Up to `count` executors for tasks that call the store many times in a row (a worker pool's claim loop and
    /// its ends, a benchmark's workers): an operation from a task that runs on one of them starts without a
    /// switch between threads when the connection behind it is free, and single sends, receives and acks that
    /// tasks on one of them ask for at the same moment may share a statement (PostgreSQL's). The executors may
    /// repeat (several connections share a thread). Empty where a store has none (SQLite, whose operations run
    /// on its own writer).
    func affinityExecutors(_ count: Int) -> [any TaskExecutor]

    // MARK: Maintenance

    /// How often the store's housekeeping (`maintain()`) should run, once across every process sharing the
    /// database (the leader runs it); nil when the store needs none.
    var maintenanceInterval: Duration? { get }
    /// Runs the store's housekeeping once (the PostgreSQL store vacuums its hot tables).
    func maintain() async throws

    // MARK: Single operations
    //
    // Each is one transaction of its own, as `write` with the transaction's method of the same name would run
    // it (the defaults below do just that). A store may run them faster: the SQLite store runs them without
    // the async frames of a transaction body (measured: about a tenth of `send_per_s`).

    /// Stores `message` in `queue` (see `StoreTransaction.send`).
    func send(_ message: NewMessage, queue: String) async throws -> SentMessage
    /// Leases messages (see `StoreTransaction.receive`).
    func receive(_ request: ReceiveRequest) async throws -> Delivery
    /// Hides a current delivery for `duration` more; false when it is no longer current.
    func extend(_ receipt: Receipt, by duration: Duration) async throws -> Bool
    /// Deletes the message of a current delivery; false when it is no longer current.
    func delete(_ receipt: Receipt) async throws -> Bool
    /// Gives a delivery back or dead-letters it (see `StoreTransaction.release`).
    func release(_ receipt: Receipt, after delay: Duration, error: String?, maxReceive: Int) async throws -> ReleaseOutcome?
    /// Dead-letters the message of a current delivery; false when it is no longer current.
    func deadLetter(_ receipt: Receipt, reason: String) async throws -> Bool
}

extension QuaeroStore {
    public var readsBegun: Int? { nil }

    public var batchesJobEnds: Bool { false }

    public func affinityExecutors(_ count: Int) -> [any TaskExecutor] { [] }

    public var maintenanceInterval: Duration? { nil }

    public func maintain() async throws {}

    public func send(_ message: NewMessage, queue: String) async throws -> SentMessage {
        try await write { tx in try await tx.send([message], queue: queue)[0] }
    }

    public func receive(_ request: ReceiveRequest) async throws -> Delivery {
        try await write { tx in try await tx.receive(request) }
    }

    public func extend(_ receipt: Receipt, by duration: Duration) async throws -> Bool {
        try await write { tx in try await tx.extend([receipt], by: duration).contains(receipt) }
    }

    public func delete(_ receipt: Receipt) async throws -> Bool {
        try await write { tx in try await tx.delete([receipt]).contains(receipt) }
    }

    public func release(_ receipt: Receipt, after delay: Duration, error: String?, maxReceive: Int) async throws -> ReleaseOutcome? {
        try await write { tx in try await tx.release(receipt, after: delay, error: error, maxReceive: maxReceive) }
    }

    public func deadLetter(_ receipt: Receipt, reason: String) async throws -> Bool {
        try await write { tx in try await tx.deadLetter(receipt, reason: reason) }
    }
}
