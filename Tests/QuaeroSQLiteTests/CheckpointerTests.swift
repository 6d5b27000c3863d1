import Foundation
@testable import QuaeroQueue
@testable import QuaeroSQLite
import QuaeroTestSupport
import Testing

@Suite("Database: background checkpoints")
struct CheckpointerTests {
    private static let threshold = 50

    private static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    @Test("past the threshold the WAL is copied into the database file while writes go on, then starts over")
    func copiesBesideTheWritesAndStartsOver() async throws {
        let options = DatabaseOptions(walAutocheckpointPages: Self.threshold)
        try await withTemporaryStore(options: options) { store, directory in
            let checkpointer = try #require(store.database.checkpointer)
            let queue = try Queue(name: "q", store: store)
            let path = directory.path("quaero.db")
            let walFrames = { (Self.size(path + "-wal") - 32) / (options.pageSize + 24) }
            let body = Data(repeating: UInt8(ascii: "a"), count: 400)
            let fileBefore = Self.size(path)
            var sent = 0
            let deadline = ContinuousClock.now + .seconds(60)
            while checkpointer.statistics.restarts < 1, ContinuousClock.now < deadline {
                _ = try await queue.send(body)
                sent += 1
            }
            try #require(checkpointer.statistics.restarts >= 1, "the WAL never started over after \(sent) sends")
            // Pages reached the database file while it was open, with no explicit checkpoint.
            #expect(Self.size(path) > fileBefore)
            let framesBefore = walFrames()
            let restartsBefore = checkpointer.statistics.restarts
            // Each send writes at least two frames (its row and its index entry): 10,000 or more in all. The WAL
            // does not grow by all of them: it starts over (how much it grows in between depends on how long the
            // copies' fsyncs take on a busy disk).
            var more = 0
            while more < 5_000 || checkpointer.statistics.restarts < restartsBefore + 2, ContinuousClock.now < deadline {
                _ = try await queue.send(body)
                more += 1
            }
            sent += more
            #expect(checkpointer.statistics.restarts >= restartsBefore + 2, "\(checkpointer.statistics)")
            #expect(walFrames() < framesBefore + 2 * more, "the WAL grew from \(framesBefore) to \(walFrames()) frames")
            #expect(try await queue.stats().totals.ready == sent)
        }
    }

    @Test("an explicit checkpoint empties the WAL even right after background copies")
    func explicitCheckpointAfterBackgroundCopies() async throws {
        try await withTemporaryStore(options: DatabaseOptions(walAutocheckpointPages: Self.threshold)) { store, directory in
            let checkpointer = try #require(store.database.checkpointer)
            let queue = try Queue(name: "q", store: store)
            let deadline = ContinuousClock.now + .seconds(60)
            var sent = 0
            while checkpointer.statistics.copies < 2, ContinuousClock.now < deadline {
                _ = try await queue.send(Data(repeating: UInt8(ascii: "b"), count: 400))
                sent += 1
            }
            try await store.database.checkpoint()
            #expect(Self.size(directory.path("quaero.db-wal")) == 0)
            #expect(try await queue.stats().totals.ready == sent)
        }
    }

    @Test("two databases writing one file, both checkpointing in the background, lose nothing and stay intact")
    func twoWritersOnOneFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("shared.db")
        let options = DatabaseOptions(walAutocheckpointPages: 20)
        let first = try SQLiteStore(path: path, options: options)
        let second = try SQLiteStore(path: path, options: options)
        let body = Data(repeating: UInt8(ascii: "c"), count: 300)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in [first, second] {
                let queue = try Queue(name: "q", store: store)
                group.addTask { for _ in 0..<1_000 { _ = try await queue.send(body) } }
            }
            try await group.waitForAll()
        }
        let copies = [first, second].compactMap(\.database.checkpointer).map(\.statistics.copies).reduce(0, +)
        #expect(copies > 0)
        let (count, integrity) = try await first.database.read { connection in
            (try connection.queryFirst("SELECT count(*) FROM messages") { $0.int(0) },
             try connection.queryFirst("PRAGMA integrity_check") { $0.text(0) })
        }
        #expect(count == 2_000)
        #expect(integrity == "ok")
        await first.close()
        await second.close()
    }

    @Test("a database in memory has no background checkpoint")
    func inMemoryHasNone() async throws {
        let store = try SQLiteStore(path: ":memory:")
        #expect(store.database.checkpointer == nil)
        await store.close()
    }
}
