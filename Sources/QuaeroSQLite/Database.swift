import CSQLite
import Foundation
public import QuaeroQueue
import QuaeroSQLiteSchema
import Synchronization

/// One SQLite database file: a serialized writer that commits concurrent writes together, and a pool of
/// readers. Migrations run when it opens.
///
/// The path `:memory:` gives a private in-memory database; its reads go through the writer.
public final class Database: Sendable {
    /// The path the database was opened with.
    public let path: String
    /// The options it was opened with.
    public let options: DatabaseOptions
    let writer: Writer
    /// Copies the WAL back in the background (nil in memory).
    var checkpointer: Checkpointer? { writer.checkpointer }
    private let readerPool: Mutex<[Connection]>
    private let sharesWriterForReads: Bool
    private let readCount = Atomic<Int>(0)

    /// Read transactions begun on this database by this process (what `GET /metrics` reports as
    /// `quaero_store_reads`: the dashboard's benchmark counts what open pages cost with it).
    public var readsBegun: Int { readCount.load(ordering: .relaxed) }

    /// Opens (or creates) the database at `path`, refuses a newer schema, and applies pending migrations: the
    /// engine's chain, then `chains` (an app's own tables) in order.
    ///
    /// Every statement waits for other processes' locks up to `options.busyTimeout`, from the first PRAGMA on
    /// (opening is synchronous, so here SQLite's own busy handler waits; later writes wait asynchronously).
    ///
    /// - Throws: `QuaeroError` with `.notADatabase`, `.schemaTooNew`, `.databaseReadOnly`, `.databaseBusy` or
    ///   `.storage`.
    public init(path: String, options: DatabaseOptions = DatabaseOptions(), chains: [MigrationChain] = []) throws {
        self.path = path
        self.options = options
        let chains = [SQLiteEngineSchema.chain] + chains
        // The open is synchronous, so SQLite's own busy handler waits here, from the first pragma on.
        let connection = try Connection(path: path, busyTimeout: options.busyTimeout)
        try Self.checkSchemaVersions(connection, chains: chains)
        if connection.isReadOnly {
            throw QuaeroError(.databaseReadOnly,
                "the database \(path) is read-only; make the file and its folder writable (Quaero needs to write)")
        }
        // Takes effect only on a new, empty file; before WAL mode, which fixes the page size.
        try connection.exec("PRAGMA page_size = \(options.pageSize)")
        // Two connections switching a new file to WAL at once each hold its shared lock and want its exclusive
        // one: SQLite answers one of them busy at once, without the busy handler, since waiting would deadlock
        // (sqlite3_busy_handler's documentation; seen when 3 `quaero worker`s started together on a new file).
        // The other then switches it; this one tries again, and finds the file in WAL mode.
        try BusyWait(timeout: options.busyTimeout, path: path).runBlocking("stayed locked by another process") {
            try connection.exec("PRAGMA journal_mode = WAL")
        }
        try connection.exec("""
            PRAGMA foreign_keys = ON; PRAGMA synchronous = \(options.synchronous.rawValue);
            PRAGMA wal_autocheckpoint = \(max(1, options.walAutocheckpointPages));
            """)
        try Self.migrate(connection, chains: chains)
        // From here on the writer waits for another process's lock itself, asynchronously (see Writer.begin).
        connection.setBusyTimeout(.zero)
        let inMemory = path == ":memory:" || path.hasPrefix("file::memory:")
        let checkpointer = inMemory ? nil
            : try Checkpointer(path: path, threshold: options.walAutocheckpointPages, busyTimeout: options.busyTimeout)
        self.writer = Writer(connection: connection, busyTimeout: options.busyTimeout, checkpointer: checkpointer)
        self.sharesWriterForReads = inMemory
        self.readerPool = Mutex([])
    }

    /// Runs `body` in one write transaction and returns its result.
    ///
    /// Concurrent calls are committed together (group commit), each inside its own savepoint, so one
    /// failing body rolls back only its own writes. The body must not start or end transactions itself.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await writer.write(body)
    }

    /// As `write`, with a body that may await (the store's transactions, which the engine drives).
    /// As `write`, for a body that changes the database with one statement at most, before anything else that
    /// can throw (see `Writer.writeOneStatement`).
    func writeOneStatement<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await writer.writeOneStatement(body)
    }

    public func writeAsync<T: Sendable>(_ body: @escaping @Sendable (Connection) async throws -> T) async throws -> T {
        try await writer.writeAsync(body)
    }

    /// Writes waiting behind the one running (for tests and metrics).
    public var waitingWrites: Int { writer.waitingCount }

    /// How many write bodies ran in how many transactions so far (group commit at work).
    public var writeStatistics: WriteStatistics { writer.statistics }

    /// Runs `body` on a reader connection: a consistent snapshot that never waits for the writer.
    ///
    /// Another process can still hold the file's lock for a moment (closing the last connection, which
    /// checkpoints and removes the WAL, or recovering the WAL after that): the read then waits
    /// asynchronously, up to the busy timeout, and `body` runs again from the start (it only reads).
    public func read<T: Sendable>(_ body: @escaping @Sendable (Connection) async throws -> T) async throws -> T {
        readCount.add(1, ordering: .relaxed)
        if sharesWriterForReads { return try await writer.writeAsync(body) }
        return try await BusyWait(timeout: options.busyTimeout, path: path).run("stayed locked by another process") {
            let connection = try checkoutReader()
            defer { checkinReader(connection) }
            try connection.exec("BEGIN")
            defer { try? connection.exec("COMMIT") }
            return try await body(connection)
        }
    }

    /// Waits for running writes, then closes every connection. Later calls fail with `.closed`.
    public func close() async {
        await writer.close()
        readerPool.withLock { $0.removeAll() }
    }

    /// Opens the database at `path`, runs `body` with it, and closes it afterwards, also when `body` throws.
    public static func with<T>(path: String, options: DatabaseOptions = DatabaseOptions(), chains: [MigrationChain] = [],
                               _ body: (Database) async throws -> T) async throws -> T {
        let database = try Database(path: path, options: options, chains: chains)
        do {
            let result = try await body(database)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }

    /// Copies the WAL into the main file and truncates it.
    public func checkpoint() async throws {
        try await writer.checkpoint()
    }

    private func checkoutReader() throws -> Connection {
        if let reader = readerPool.withLock({ $0.popLast() }) { return reader }
        // Zero: `read` waits for locks itself, asynchronously.
        let reader = try Connection(path: path, readOnly: true, busyTimeout: .zero)
        try reader.exec("PRAGMA foreign_keys = ON")
        return reader
    }

    private func checkinReader(_ reader: Connection) {
        readerPool.withLock { pool in
            if pool.count < options.readers { pool.append(reader) }
        }
    }
}
