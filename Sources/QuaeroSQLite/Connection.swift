internal import CSQLite
internal import CSQLiteWAL
import Foundation
import QuaeroQueue

/// One SQLite connection with its cache of prepared statements.
///
/// Not thread-safe: the `Database` gives it to one caller at a time (the writer's leader, or a reader
/// checked out of the pool). `@unchecked Sendable` so that it can move between those callers.
public final class Connection: @unchecked Sendable {
    let handle: OpaquePointer
    let path: String
    private var statements: [String: Statement] = [:]
    private var declared: [Statement?] = []
    private var afterCommitActions: [(key: String?, action: @Sendable () -> Void)] = []
    /// The actions being run (`runAfterCommit`), kept empty with their capacity between commits: copying the
    /// list out and clearing it made a new array at every commit.
    private var committedActions: [(key: String?, action: @Sendable () -> Void)] = []
    private var afterCommitKeys: Set<String> = []
    /// The counter changes of the current write transaction, written at its commit (see `CounterDeltas`).
    var counters = CounterDeltas()

    /// Opens the file at `path` (created when missing unless `readOnly`), with SQLite's busy handler waiting
    /// up to `busyTimeout` for another connection's lock from the very first statement on.
    ///
    /// Zero makes a statement that meets a lock answer busy at once (for callers that wait asynchronously).
    /// SQLite's default is zero, and then the first statements of a process (the pragmas of the open, WAL
    /// recovery after the last connection closed, the migrations) fail with "database is locked" whenever
    /// another process opens or closes the file at the same moment.
    init(path: String, readOnly: Bool = false, busyTimeout: Duration) throws {
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_URI
        let rc = sqlite3_open_v2(path, &db, flags, Self.walVFS)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw QuaeroError(
                rc & 0xff == SQLITE_CANTOPEN ? .databaseReadOnly : .storage,
                "cannot open the database \(path): \(message); check that the folder exists and is writable",
                storeCode: String(rc))
        }
        self.handle = db
        self.path = path
        setBusyTimeout(busyTimeout)
    }

    /// The VFS every connection opens with: SQLite's default, with a transaction's writes to the write-ahead
    /// log gathered into one (`quaero_wal_vfs.c`); nil (the default VFS) if it could not be registered.
    private static let walVFS: String? = quaero_wal_vfs_register() == SQLITE_OK ? QUAERO_WAL_VFS_NAME : nil

    /// The writes SQLite made to this connection's write-ahead log since it was opened, and the writes that
    /// reached the file for them (`quaero_wal_vfs.c`); zeros while no log is open or when it is not buffered.
    var walWriteCounts: (writes: Int, flushes: Int) {
        var counts: [Int64] = [0, 0]
        guard sqlite3_file_control(handle, "main", QUAERO_WAL_FCNTL_COUNTS, &counts) == SQLITE_OK else { return (0, 0) }
        return (Int(counts[0]), Int(counts[1]))
    }

    private var isClosed = false

    deinit { close() }

    /// Finalizes every statement and closes the connection; later use is a programmer error.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        statements.removeAll()
        declared.removeAll()
        sqlite3_close_v2(handle)
    }

    /// The statement for `sql`, prepared once and cached for the life of the connection.
    public func prepare(_ sql: String) throws -> Statement {
        if let cached = statements[sql] { return cached }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, context: sql) }
        let statement = Statement(handle: stmt, connection: self)
        statements[sql] = statement
        return statement
    }

    /// The declared statement, prepared on first use and then found by its id.
    public func prepare(_ sql: SQLStatement) throws -> Statement {
        if sql.id < declared.count, let statement = declared[sql.id] { return statement }
        let statement = try prepare(sql.text)
        if sql.id >= declared.count { declared += Array(repeating: nil, count: sql.id - declared.count + 1) }
        declared[sql.id] = statement
        return statement
    }

    /// Whether the connection is in SQLite's defensive mode (`SQLITE_DBCONFIG_DEFENSIVE`: no edits of
    /// `sqlite_schema`, among others); setting it turns the mode on or off for this connection.
    var isDefensive: Bool {
        get { dbConfig(SQLITE_DBCONFIG_DEFENSIVE, -1) }
        set { _ = dbConfig(SQLITE_DBCONFIG_DEFENSIVE, newValue ? 1 : 0) }
    }

    /// `sqlite3_db_config` of an integer option: sets it to `value` (-1: unchanged) and returns its value then.
    private func dbConfig(_ option: Int32, _ value: Int32) -> Bool {
        var current: Int32 = 0
        _ = quaero_sqlite_db_config_int(handle, option, value, &current)
        return current != 0
    }

    /// Runs one or more statements that take no parameters and return no rows we need.
    public func exec(_ sql: String) throws {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(rc, context: sql) }
    }

    /// Runs `sql` with `arguments`, ignoring any rows.
    public func execute(_ sql: some SQLText, _ arguments: [any SQLBindable] = []) throws {
        let stmt = try sql.prepared(in: self)
        stmt.bind(arguments)
        try stmt.run()
    }

    /// Runs `sql` with `arguments` and maps every row.
    @discardableResult
    public func query<T>(_ sql: some SQLText, _ arguments: [any SQLBindable] = [], _ map: (Row) throws -> T) throws -> [T] {
        let stmt = try sql.prepared(in: self)
        stmt.bind(arguments)
        return try stmt.rows(map)
    }

    /// Runs `sql` with `arguments` and maps the first row, if any.
    public func queryFirst<T>(_ sql: some SQLText, _ arguments: [any SQLBindable] = [], _ map: (Row) throws -> T) throws -> T? {
        let stmt = try sql.prepared(in: self)
        stmt.bind(arguments)
        return try stmt.first(map)
    }

    /// Runs `action` once the current write transaction has committed (never when it rolls back).
    ///
    /// For effects outside the database that must not be seen before the data is, such as waking a
    /// worker that will read it.
    public func afterCommit(_ action: @escaping @Sendable () -> Void) {
        afterCommitActions.append((nil, action))
    }

    /// Like `afterCommit`, but only the first action registered under `key` in a transaction runs.
    public func afterCommit(once key: String, _ action: @escaping @Sendable () -> Void) {
        if afterCommitKeys.insert(key).inserted { afterCommitActions.append((key, action)) }
    }

    var afterCommitCount: Int { afterCommitActions.count }

    func discardAfterCommit(from index: Int) {
        for entry in afterCommitActions[index...] { if let key = entry.key { afterCommitKeys.remove(key) } }
        afterCommitActions.removeSubrange(index...)
    }

    /// Runs the actions of the transaction that committed: the keyed ones (the wake-ups of this process's
    /// consumers) last, so that what the others publish, such as a job's `created` event, comes before a
    /// consumer they wake can start that job and publish its `started`.
    func runAfterCommit() {
        guard !afterCommitActions.isEmpty else { return }
        // An action that registers another (for the next transaction) adds it to the emptied list.
        swap(&afterCommitActions, &committedActions)
        afterCommitKeys.removeAll(keepingCapacity: true)
        for entry in committedActions where entry.key == nil { entry.action() }
        for entry in committedActions where entry.key != nil { entry.action() }
        committedActions.removeAll(keepingCapacity: true)
    }

    /// Copies WAL frames into the database file (`sqlite3_wal_checkpoint_v2` in `mode`); returns the WAL's
    /// size in frames (-1 when the database is not in WAL mode).
    ///
    /// - Throws: `databaseBusy` when another connection's lock stopped it.
    @discardableResult
    func checkpoint(_ mode: Int32) throws -> Int {
        var frames: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(handle, nil, mode, &frames, nil)
        guard rc == SQLITE_OK else { throw error(rc, context: "checkpoint") }
        return Int(frames)
    }

    /// The rowid of the last row inserted on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// Whether no transaction is open (SQLite's autocommit mode).
    var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// Whether the main database was opened read-only (the file or its folder is not writable).
    var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// How long SQLite's busy handler waits on a lock before a statement answers busy.
    private(set) var busyTimeout = Duration.zero

    /// Sets how long SQLite itself waits on a lock before answering busy (zero: not at all).
    func setBusyTimeout(_ timeout: Duration) {
        busyTimeout = max(timeout, .zero)
        sqlite3_busy_timeout(handle, Int32(clamping: busyTimeout.milliseconds))
    }

    /// Maps a SQLite result code to a typed error that names the statement and what to do.
    func error(_ rc: Int32, context: String) -> QuaeroError {
        let message = String(cString: sqlite3_errmsg(handle))
        switch rc & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED:
            return QuaeroError(.databaseBusy,
                busyTimeout > .zero ? BusyWait.message(path: path, "stayed locked by another connection (\(message))", busyTimeout)
                    : "the database \(path) is locked by another connection (\(message))",
                storeCode: String(rc))
        case SQLITE_READONLY:
            return QuaeroError(.databaseReadOnly,
                "the database \(path) is read-only (\(message)); make the file and its folder writable",
                storeCode: String(rc))
        case SQLITE_NOTADB:
            return QuaeroError(.notADatabase,
                "\(path) is not a SQLite database (\(message)); point --db at a Quaero database or a new file",
                storeCode: String(rc))
        default:
            return QuaeroError(.storage, "SQLite error in \(context.prefix(120)): \(message)", storeCode: String(rc))
        }
    }
}

/// SQLite's library version, for reports.
public var sqliteVersion: String { String(cString: sqlite3_libversion()) }
