import CSQLite
import Foundation
import QuaeroTestSupport
import Testing

/// Many short-lived `quaero` processes on one database file, as `xargs -P` runs them: each opens the file
/// (pragmas, migrations, WAL recovery), works and closes it (the last one to close checkpoints and removes
/// the WAL), while the others do the same. None may fail with "database is locked".
@Suite("CLI: concurrent processes on one database", .timeLimit(.minutes(2)))
struct ConcurrentProcessesTests {
    static let lanes = 8
    static let rounds = 16

    @Test("8 processes sending and listing at once on a new file: every command succeeds, every send is stored")
    func sendAndListAtOnce() async throws {
        try await withWorkspace { dir in
            let failures = Locked<[String]>([])
            await withTaskGroup(of: Void.self) { group in
                for lane in 0..<Self.lanes {
                    group.addTask {
                        for round in 0..<Self.rounds {
                            let arguments = (lane + round).isMultiple(of: 2)
                                ? ["--db", "t.db", "send", "cleanup", "{}"]
                                : ["--db", "t.db", "jobs", "list", "--limit", "5"]
                            do {
                                let outcome = try await QuaeroBinary.runConcurrently(arguments, in: dir.url)
                                if outcome.status != 0 { failures.withLock { $0.append("\(arguments): \(outcome)") } }
                            } catch {
                                failures.withLock { $0.append("\(arguments): \(error)") }
                            }
                        }
                    }
                }
            }
            #expect(failures.value.isEmpty, "\(failures.value.count) failed, the first: \(failures.value.first ?? "")")
            let stats = try #require(try dir.quaeroJSON("--db", "t.db", "queue", "stats", "--json") as? [String: Any])
            #expect(stats["ready"] as? Int == Self.lanes * Self.rounds / 2)
        }
    }

    @Test("3 workers started at once on a new file all start, register, and stop cleanly", arguments: 0..<3)
    func workersStartTogether(round: Int) async throws {
        try await withWorkspace { dir in
            let workers = try (0..<3).map { _ in try BackgroundQuaero(["worker", "--db", "w.db"], in: dir.url) }
            defer { for worker in workers { worker.kill() } }
            let registered = await waitUntil(timeout: .seconds(20), pollEvery: .milliseconds(50)) {
                Self.count("SELECT count(*) FROM worker_pools", in: dir.path("w.db")) == 3
            }
            #expect(registered, "\(workers.map { $0.output() })")
            for worker in workers {
                #expect(await worker.terminate() == 0, "\(worker.output())")
            }
        }
    }

    /// The one number `sql` answers in the database at `path`, read with the C API (nil while unreadable).
    private static func count(_ sql: String, in path: String) -> Int? {
        var handle: OpaquePointer?
        defer { sqlite3_close(handle) }
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else { return nil }
        sqlite3_busy_timeout(handle, 1000)
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, sqlite3_step(statement) == SQLITE_ROW else { return nil }
        return Int(sqlite3_column_int64(statement, 0))
    }
}
