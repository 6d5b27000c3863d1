import Foundation
import QuaeroQueue
import QuaeroSQLite
import QuaeroTestSupport
import Testing

/// The README's two code examples, run as written (on a temporary database), so they cannot rot.
@Suite("README examples", .timeLimit(.minutes(1)))
struct ReadmeExampleTests {
    @Test func embeddingTheQueue() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // --- as in the README ---
        let store = try SQLiteStore(path: directory.path("app.db"))         // WAL, migrations applied
        let queue = try Queue(name: "emails", store: store,
                              options: QueueOptions(visibilityTimeout: .seconds(60), maxReceive: 5))
        // --- end ---
        try await store.transaction { try $0.connection.execute("CREATE TABLE users (name TEXT NOT NULL)") }
        // --- as in the README ---
        let id = try await queue.send(Data(#"{"to":"a@b.c"}"#.utf8), delay: .seconds(10), priority: 1, key: "welcome-42")
        try await store.transaction { tx in
            try tx.connection.execute("INSERT INTO users (name) VALUES (?)", ["ada"])
            _ = try await queue.send(OutgoingMessage(body: Data("welcome ada".utf8)), in: tx)
        }
        var handled: [String] = []
        for message in try await queue.receive(limit: 10) {
            do {
                try await queue.extend(message.receipt, by: .seconds(60))
                handled.append(String(decoding: message.body, as: UTF8.self))
                try await queue.delete(message.receipt)
            } catch {
                try await queue.release(message.receipt, after: .seconds(30), error: "\(error)")
            }
        }
        // --- end ---
        #expect(id > 0)
        #expect(handled == ["welcome ada"])  // the other one is still delayed
        #expect(try await queue.stats().totals.delayed == 1)
        await store.close()
    }

    @Test func runningJobs() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // --- as in the README ---
        let store = try SQLiteStore(path: directory.path("app.db"))
        let manager = JobManager(queue: try Queue(name: "jobs", store: store))
        try await manager.start()                                  // reconciles what a crash left behind
        let logs = try LogService(store: store)
        manager.addSink(JobEventLogSink(service: logs))
        let pool = try WorkerPool(manager: manager, options: WorkerPoolOptions(concurrency: 5), logService: logs)
        pool.register("resize") { context in
            context.logger.info("resizing \(context.config["path"] ?? .null)")
            try await context.reportProgress(completed: 1, total: 1)
            return .object(["ok": .bool(true)])
        }
        try await pool.start()
        let handle = try await manager.submit(JobSpec(type: "resize", config: ["path": .string("a.png")]))
        let result = try await handle.result()
        // --- end ---
        #expect(result == .object(["ok": .bool(true)]))
        await pool.stop()
        await logs.stop()
        await store.close()
    }
}
