public import QuaeroQueue

/// The SQLite store: the engine's tables (and an app's own, through its migration chains) in one database
/// file, or in memory (`:memory:`).
///
/// Writes go through the database's single writer, which commits concurrent writes together (each in its own
/// savepoint); reads use a small pool of reader connections. See `Database`.
public final class SQLiteStore: QuaeroStore {
    /// The database file and its connections.
    public let database: Database
    public let clock: any QuaeroClock
    public let signals = StoreSignals()
    private let pauses = StaleCache<String, QueuePause>(staleness: QueuePause.staleness)
    private let remoteTypes = StaleCache<Int, LiveRemoteTypes>(staleness: QueuePause.staleness)
    private let tokens = LeaseTokens()

    /// Opens (or creates) the database at `path` and applies the engine's migrations, then `chains`.
    ///
    /// - Parameters:
    ///   - clock: stamps every stored time and decides when leases and delays end (a manual clock in tests).
    /// - Throws: `QuaeroError` with `.notADatabase`, `.schemaTooNew`, `.databaseReadOnly`, `.databaseBusy` or
    ///   `.storage`.
    public init(path: String, options: DatabaseOptions = DatabaseOptions(), chains: [MigrationChain] = [],
                clock: any QuaeroClock = SystemClock()) throws {
        self.database = try Database(path: path, options: options, chains: chains)
        self.clock = clock
    }

    public var description: String { "SQLite \(sqliteVersion) at \(database.path)" }

    public var readsBegun: Int? { database.readsBegun }

    /// A pool's successful ends are recorded together here as well (`EndBatcher`), on top of the writer's group
    /// commit: the slots' next messages are then claimed with one statement instead of one each. Measured with
    /// `quaero bench --only jobs_per_s` on 2026-11-28 (release, 4 alternating runs each): the statements run per
    /// job fell from 15.4 to 12.7 (counted by a wrapper of `sqlite3_step`), the median from 7,650 to 8,045 jobs/s.
    public var batchesJobEnds: Bool { true }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) async throws -> T) async throws -> T {
        try await transaction(body)
    }

    /// Runs `body` in one write transaction with the SQLite connection at hand: an app's own rows (through
    /// `tx.connection`) and the engine's operations (a send, a job created with `in: tx`) commit together.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (SQLiteTransaction) async throws -> T) async throws -> T {
        try await database.writeAsync { connection in try await body(self.transaction(on: connection)) }
    }

    /// The transaction handle of the writer's (or a reader's) connection.
    private func transaction(on connection: Connection) -> SQLiteTransaction {
        SQLiteTransaction(connection: connection, clock: clock, signals: signals, pauses: pauses,
                          remoteTypes: remoteTypes, tokens: tokens)
    }

    /// Runs a synchronous `body` in a write transaction of its own: the single operations, without the async
    /// frames of a transaction body.
    private func writeNow<T: Sendable>(_ body: @escaping @Sendable (SQLiteTransaction) throws -> T) async throws -> T {
        try await database.write { connection in try body(self.transaction(on: connection)) }
    }

    /// As `writeNow`, for a body that writes with one statement at most, before anything else that can throw: in
    /// a group commit it needs no savepoint (see `Writer.writeOneStatement`).
    private func writeOneStatement<T: Sendable>(_ body: @escaping @Sendable (SQLiteTransaction) throws -> T) async throws -> T {
        try await database.writeOneStatement { connection in try body(self.transaction(on: connection)) }
    }

    public func send(_ message: NewMessage, queue: String) async throws -> SentMessage {
        // One INSERT (then, for a dedup key already held, a read).
        try await writeOneStatement { try $0.sendNow(message, queue: queue) }
    }

    public func receive(_ request: ReceiveRequest) async throws -> Delivery {
        try await writeNow { try $0.receiveNow(request) }
    }

    public func extend(_ receipt: Receipt, by duration: Duration) async throws -> Bool {
        let until = clock.nowMillis() + duration.milliseconds
        return try await writeOneStatement { try $0.fenced(receipt, QueueSQL.extend, until) }
    }

    public func delete(_ receipt: Receipt) async throws -> Bool {
        try await writeOneStatement { try $0.fenced(receipt, QueueSQL.delete) }
    }

    public func release(_ receipt: Receipt, after delay: Duration, error: String?, maxReceive: Int) async throws -> ReleaseOutcome? {
        try await writeNow { try $0.releaseNow(receipt, after: delay, error: error, maxReceive: maxReceive) }
    }

    public func deadLetter(_ receipt: Receipt, reason: String) async throws -> Bool {
        try await writeNow { try $0.deadLetterNow(receipt, reason: reason) }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) async throws -> T) async throws -> T {
        try await database.read { connection in try await body(self.transaction(on: connection)) }
    }

    public func close() async {
        await database.close()
    }
}

/// One transaction (or read-only view) of the SQLite store: the engine's operations as statements on the
/// connection the writer (or a reader) lends for its duration.
///
/// Invariant behind `@unchecked Sendable`: it is used only inside the body it was made for, while that body
/// holds the connection.
public struct SQLiteTransaction: StoreTransaction, @unchecked Sendable {
    /// The connection, for an app's own statements in the same transaction.
    public let connection: Connection
    let clock: any QuaeroClock
    let signals: StoreSignals
    /// Each queue's pauses, as claims last read them.
    let pauses: StaleCache<String, QueuePause>
    /// The live remote workers' types, as claims last read them (one entry).
    let remoteTypes: StaleCache<Int, LiveRemoteTypes>
    let tokens: LeaseTokens

    public func afterCommit(_ action: @escaping @Sendable () -> Void) {
        connection.afterCommit(action)
    }
}
