import CSQLite
import Foundation
import QuaeroQueue
@testable import QuaeroSQLite
import QuaeroTestSupport
import Testing

/// The write-ahead log's buffer (`Sources/CSQLiteWAL`): a commit's frames reach the file in one write, before
/// the commit is visible, and every transaction SQLite can write (small, larger than the buffer, spilling and
/// rewriting pages, rolled back) reads back whole through a connection on SQLite's own VFS. Crash safety with
/// the buffer is `CrashTests`' and `LogCrashTests`' (their processes open the database through it).
@Suite("SQLite: the write-ahead log's buffer")
struct WALBufferTests {
    /// A connection through Quaero's VFS, in WAL mode with Quaero's page size and synchronous setting.
    private static func buffered(_ path: String) throws -> Connection {
        let connection = try Connection(path: path, busyTimeout: .seconds(5))
        try connection.exec("PRAGMA page_size = 1024; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
        return connection
    }

    /// Runs `body` with a buffered writer on a new file in a fresh folder (after `schema`), a connection on
    /// SQLite's default VFS to the same file, and the file's path.
    private static func withFile(_ schema: String, _ body: (Connection, Plain, String) throws -> Void) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("wal.db")
        let writer = try buffered(path)
        try writer.exec(schema)
        try body(writer, try Plain(path), path)
    }

    /// A connection on SQLite's default VFS, which knows nothing of the buffer.
    private final class Plain {
        let handle: OpaquePointer

        init(_ path: String) throws {
            var db: OpaquePointer?
            guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, let db else {
                throw QuaeroError(.storage, "cannot open \(path)")
            }
            handle = db
            sqlite3_busy_timeout(db, 5000)
        }

        deinit { sqlite3_close_v2(handle) }

        /// The text or integer in the first column of the first row of `sql`.
        func scalar(_ sql: String) throws -> String {
            var stmt: OpaquePointer?
            guard sqlite3_prepare_v2(handle, sql, -1, &stmt, nil) == SQLITE_OK else {
                throw QuaeroError(.storage, String(cString: sqlite3_errmsg(handle)))
            }
            defer { sqlite3_finalize(stmt) }
            guard sqlite3_step(stmt) == SQLITE_ROW, let text = sqlite3_column_text(stmt, 0) else {
                throw QuaeroError(.storage, "no row for \(sql)")
            }
            return String(cString: text)
        }
    }

    @Test("a commit's frames reach the file in one write, and another connection sees the commit at once")
    func oneWriteACommit() throws {
        try Self.withFile("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE INDEX t_v ON t (v)") { writer, reader, _ in
            let before = writer.walWriteCounts
            let commits = 200
            for i in 1...commits {
                try writer.execute("INSERT INTO t (v) VALUES (?1)", ["value \(i)"])
                #expect(try reader.scalar("SELECT count(*) FROM t") == "\(i)")
            }
            let after = writer.walWriteCounts
            // Each commit writes at least two frames (the table's page and the index's), two writes each.
            #expect(after.writes - before.writes >= 4 * commits)
            #expect(after.flushes - before.flushes == commits)
            #expect(try reader.scalar("PRAGMA integrity_check") == "ok")
        }
    }

    @Test("a transaction larger than the buffer and the page cache, which spills and rewrites pages, commits whole; one rolled back leaves nothing")
    func largeAndRolledBackTransactions() throws {
        // A cache of 20 pages: the transaction's pages spill to the log before its commit and are written again.
        let schema = "PRAGMA cache_size = 20; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE INDEX t_v ON t (v)"
        try Self.withFile(schema) { writer, reader, _ in
            let value = String(repeating: "x", count: 500)
            try writer.exec("BEGIN")
            for i in 0..<5_000 { try writer.execute("INSERT INTO t (v) VALUES (?1)", ["\(i % 97) \(value)"]) }
            try writer.exec("UPDATE t SET v = 'updated ' || v WHERE id % 3 = 0")
            try writer.exec("COMMIT")
            let counts = writer.walWriteCounts
            #expect(counts.flushes < counts.writes)
            #expect(try reader.scalar("SELECT count(*) FROM t") == "5000")
            #expect(try reader.scalar("SELECT count(*) FROM t WHERE v LIKE 'updated %'") == "1666")
            #expect(try reader.scalar("PRAGMA integrity_check") == "ok")

            try writer.exec("BEGIN")
            for _ in 0..<5_000 { try writer.execute("INSERT INTO t (v) VALUES (?1)", [value]) }
            try writer.exec("ROLLBACK")
            try writer.execute("INSERT INTO t (v) VALUES (?1)", ["after the rollback"])
            #expect(try reader.scalar("SELECT count(*) FROM t") == "5001")
            #expect(try reader.scalar("SELECT v FROM t ORDER BY id DESC LIMIT 1") == "after the rollback")
            #expect(try reader.scalar("PRAGMA integrity_check") == "ok")
        }
    }

    @Test("the log restarted by another connection's checkpoint is written from its start again, and reads back after a reopen")
    func restartsAfterAnotherConnectionsCheckpoint() throws {
        try Self.withFile("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)") { writer, other, path in
            for round in 0..<5 {
                for i in 0..<100 { try writer.execute("INSERT INTO t (v) VALUES (?1)", ["\(round) \(i)"]) }
                _ = try other.scalar("PRAGMA wal_checkpoint(TRUNCATE)")
                #expect(try other.scalar("SELECT count(*) FROM t") == "\((round + 1) * 100)")
            }
            writer.close()
            let reopened = try Self.buffered(path)
            #expect(try reopened.queryFirst("SELECT count(*) FROM t") { $0.int(0) } == 500)
            #expect(try other.scalar("PRAGMA integrity_check") == "ok")
        }
    }
}
