internal import CSQLite
import Foundation
import QuaeroQueue
public import QuaeroSQLite

/// The floor a queue on SQLite can reach here: the plain C API on a lean table, one thread, statements
/// prepared once (the same work as shared/bench/sqlite_limit.c), measured in the same run as Quaero so that
/// the two can be compared as ratios.
public struct SQLiteFloor {
    /// What the floor measures.
    public enum Mode: Sendable {
        /// One insert a transaction.
        case send
        /// Prefilled (untimed), then receive in one transaction and delete in another, one by one.
        case receiveDelete
        /// Send, receive, delete: three transactions a cycle.
        case cycle
        /// Inserts, `batch` to a transaction.
        case sendBatch(Int)
    }

    private let db: OpaquePointer
    private var statements: [OpaquePointer] = []

    /// Creates the lean table in a new database file at `path` (removing any old one), with `options`'
    /// synchronous mode, page size and checkpoint interval (as `sqlite_limit -S -P -W` does), so that the two
    /// sides compare at equal settings.
    public init(path: String, options: DatabaseOptions) throws {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        var handle: OpaquePointer?
        guard sqlite3_open(path, &handle) == SQLITE_OK, let handle else {
            throw QuaeroError(.storage, "cannot create the floor database at \(path)")
        }
        db = handle
        sqlite3_busy_timeout(db, 5000)
        try exec("PRAGMA page_size = \(options.pageSize); PRAGMA foreign_keys = 1; PRAGMA journal_mode = WAL;")
        try exec("PRAGMA synchronous = \(options.synchronous.rawValue); PRAGMA wal_autocheckpoint = \(options.walAutocheckpointPages);")
        try exec("""
            CREATE TABLE messages (id INTEGER PRIMARY KEY, queue TEXT NOT NULL, body BLOB NOT NULL,
             visible_at INTEGER NOT NULL, received INTEGER NOT NULL DEFAULT 0, priority INTEGER NOT NULL DEFAULT 0,
             created_at INTEGER NOT NULL) STRICT;
            CREATE INDEX messages_queue_priority ON messages (queue, priority DESC);
            """)
    }

    /// Closes the database.
    public func close() {
        for statement in statements { sqlite3_finalize(statement) }
        sqlite3_close(db)
    }

    /// Runs `mode` over `count` operations (or cycles) and returns operations per second.
    public mutating func run(_ mode: Mode, count: Int) throws -> Double {
        let begin = try prepare("BEGIN"), commit = try prepare("COMMIT")
        let send = try prepare("INSERT INTO messages (queue, body, visible_at, created_at) VALUES ('bench', ?1, ?2, ?2) RETURNING id")
        let receive = try prepare("""
            UPDATE messages SET visible_at = ?1, received = received + 1 WHERE id = (
            SELECT id FROM messages WHERE queue = 'bench' AND visible_at <= ?2 AND received < 3
            ORDER BY priority DESC, id LIMIT 1) RETURNING id, body
            """)
        let delete = try prepare("DELETE FROM messages WHERE id = ?1")
        let body: [UInt8] = [121, 121]

        func step(_ s: OpaquePointer, expect: Int32 = SQLITE_DONE) throws {
            let rc = sqlite3_step(s)
            guard rc == expect || rc == SQLITE_DONE else { throw QuaeroError(.storage, "floor: \(String(cString: sqlite3_errmsg(db)))") }
            sqlite3_reset(s)
        }
        func doSend() throws {
            sqlite3_bind_blob(send, 1, body, 2, nil)
            sqlite3_bind_int64(send, 2, SystemClock().nowMillis())
            try step(send, expect: SQLITE_ROW)
        }
        func doReceive() throws -> Int64 {
            let now = SystemClock().nowMillis()
            sqlite3_bind_int64(receive, 1, now + 5000)
            sqlite3_bind_int64(receive, 2, now)
            guard sqlite3_step(receive) == SQLITE_ROW else { throw QuaeroError(.storage, "floor: the queue is empty") }
            let id = sqlite3_column_int64(receive, 0)
            _ = sqlite3_column_blob(receive, 1)
            sqlite3_reset(receive)
            return id
        }
        func doDelete(_ id: Int64) throws {
            sqlite3_bind_int64(delete, 1, id)
            try step(delete)
        }
        func transaction(_ body: () throws -> Void) throws {
            try step(begin)
            try body()
            try step(commit)
        }

        if case .receiveDelete = mode {
            try transaction { for _ in 0..<count { try doSend() } }
        }
        let start = ContinuousClock.now
        switch mode {
        case .send:
            for _ in 0..<count { try transaction(doSend) }
        case .receiveDelete:
            for _ in 0..<count {
                var id: Int64 = 0
                try transaction { id = try doReceive() }
                try transaction { try doDelete(id) }
            }
        case .cycle:
            for _ in 0..<count {
                var id: Int64 = 0
                try transaction(doSend)
                try transaction { id = try doReceive() }
                try transaction { try doDelete(id) }
            }
        case .sendBatch(let batch):
            var done = 0
            while done < count {
                let n = min(batch, count - done)
                try transaction { for _ in 0..<n { try doSend() } }
                done += n
            }
        }
        return Double(count) / (ContinuousClock.now - start).seconds
    }

    private func exec(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw QuaeroError(.storage, "floor: \(String(cString: sqlite3_errmsg(db)))")
        }
    }

    private mutating func prepare(_ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK, let statement else {
            throw QuaeroError(.storage, "floor: \(String(cString: sqlite3_errmsg(db)))")
        }
        statements.append(statement)
        return statement
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
