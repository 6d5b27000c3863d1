import Foundation
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("Queue: send and receive")
struct QueueSendReceiveTests {
    @Test func higherPriorityFirstThenFIFO() async throws {
        try await withQueue { queue, _, _ in
            _ = try await queue.send(Data("low-1"), priority: 0)
            _ = try await queue.send(Data("high-1"), priority: 5)
            _ = try await queue.send(Data("low-2"), priority: 0)
            _ = try await queue.send(Data("high-2"), priority: 5)
            _ = try await queue.send(Data("mid"), priority: 1)
            var order: [String] = []
            while let message = try await queue.receive().first {
                order.append(message.text)
                try await queue.delete(message.receipt)
            }
            #expect(order == ["high-1", "high-2", "mid", "low-1", "low-2"])
        }
    }

    @Test func receiveManyKeepsPriorityOrder() async throws {
        try await withQueue { queue, _, _ in
            for i in 0..<10 { _ = try await queue.send(Data("m\(i)"), priority: i % 3) }
            let messages = try await queue.receive(limit: 10)
            #expect(messages.map(\.priority) == [2, 2, 2, 1, 1, 1, 0, 0, 0, 0])
            #expect(messages.filter { $0.priority == 0 }.map(\.text) == ["m0", "m3", "m6", "m9"])
        }
    }

    @Test func delayIsRespected() async throws {
        try await withQueue { queue, clock, _ in
            _ = try await queue.send(Data("later"), delay: .seconds(10))
            #expect(try await queue.receive().isEmpty)
            clock.advance(by: .seconds(9))
            #expect(try await queue.receive().isEmpty)
            clock.advance(by: .seconds(1))
            #expect(try await queue.receive().map(\.text) == ["later"])
        }
    }

    @Test func receivedMessageIsHiddenUntilTheLeaseExpires() async throws {
        try await withQueue { queue, clock, _ in
            _ = try await queue.send(Data("x"))
            let first = try #require(try await queue.receive().first)
            #expect(first.received == 1)
            #expect(try await queue.receive().isEmpty)
            clock.advance(by: .seconds(30))
            let second = try #require(try await queue.receive().first)
            #expect(second.id == first.id)
            #expect(second.received == 2)
            #expect(second.receipt != first.receipt)
        }
    }

    @Test func dedupKeyReturnsTheFirstIdUntilDeleted() async throws {
        try await withQueue { queue, _, _ in
            let first = try await queue.send(Data("a"), key: "k")
            let again = try await queue.send(Data("b"), key: "k")
            #expect(again == first)
            #expect(try await queue.stats().totals.ready == 1)
            let message = try #require(try await queue.receive().first)
            #expect(message.text == "a")
            try await queue.delete(message.receipt)
            _ = try await queue.send(Data("c"), key: "k")
            #expect(try await queue.receive().map(\.text) == ["c"])
        }
    }

    @Test func sameKeyInAnotherQueueIsIndependent() async throws {
        try await withQueue { queue, clock, database in
            let other = try Queue(name: "other", database: database, clock: clock)
            let a = try await queue.send(Data("a"), key: "k")
            let b = try await other.send(Data("b"), key: "k")
            #expect(a != b)
            #expect(try await other.receive().map(\.text) == ["b"])
            #expect(try await queue.receive().map(\.text) == ["a"])
        }
    }

    @Test func batchSendIsAllOrNothing() async throws {
        try await withQueue { queue, _, database in
            let ids = try await queue.send(batch: (0..<5).map { OutgoingMessage(body: Data("b\($0)")) })
            #expect(ids.count == 5)
            #expect(Set(ids).count == 5)
            // A batch whose last send fails validation stores nothing.
            let bad = [OutgoingMessage(body: Data("ok")), OutgoingMessage(body: Data("bad"), delay: .seconds(-1))]
            await #expect(throws: QuaeroError.self) { try await queue.send(batch: bad) }
            // A batch whose third insert fails inside SQLite rolls back the first two.
            try await database.write { connection in
                try connection.execute("""
                    CREATE TEMP TRIGGER refuse_bad BEFORE INSERT ON messages WHEN NEW.body = CAST('bad' AS BLOB)
                    BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END
                    """)
            }
            let failing = ["one", "two", "bad", "four"].map { OutgoingMessage(body: Data($0)) }
            await #expect(throws: QuaeroError.self) { try await queue.send(batch: failing) }
            #expect(try await queue.stats().totals.ready == 5)
        }
    }

    @Test func sendJoinsTheCallersTransaction() async throws {
        try await withQueue { queue, _, database in
            try await database.write { try $0.execute("CREATE TABLE app_rows (name TEXT NOT NULL) STRICT") }
            struct Rollback: Error {}
            await #expect(throws: Rollback.self) {
                try await database.write { connection in
                    try connection.execute("INSERT INTO app_rows VALUES ('row')")
                    _ = try queue.send(OutgoingMessage(body: Data("msg")), in: connection)
                    throw Rollback()
                }
            }
            #expect(try await database.read { try $0.queryFirst("SELECT count(*) FROM app_rows") { $0.int(0) } } == 0)
            #expect(try await queue.stats().totals.ready == 0)
            try await database.write { connection in
                try connection.execute("INSERT INTO app_rows VALUES ('row')")
                _ = try queue.send(OutgoingMessage(body: Data("msg")), in: connection)
            }
            #expect(try await database.read { try $0.queryFirst("SELECT count(*) FROM app_rows") { $0.int(0) } } == 1)
            #expect(try await queue.receive().map(\.text) == ["msg"])
        }
    }

    @Test func manyQueuesShareOneTable() async throws {
        try await withQueue { queue, clock, database in
            let other = try Queue(name: "other", database: database, clock: clock)
            _ = try await queue.send(Data("mine"))
            _ = try await other.send(Data("theirs"))
            #expect(try await queue.receive(limit: 10).map(\.text) == ["mine"])
            #expect(try await other.receive(limit: 10).map(\.text) == ["theirs"])
        }
    }

    @Test func badArgumentsAreRejected() async throws {
        try await withQueue { queue, _, database in
            await #expect(throws: QuaeroError.self) { _ = try await queue.send(Data("x"), delay: .seconds(-1)) }
            await #expect(throws: QuaeroError.self) { _ = try await queue.send(Data("x"), key: "") }
            await #expect(throws: QuaeroError.self) { _ = try await queue.receive(limit: 0) }
            await #expect(throws: QuaeroError.self) { _ = try await queue.receive(limit: 1001) }
            #expect(throws: QuaeroError.self) { _ = try Queue(name: "", database: database) }
            #expect(throws: QuaeroError.self) { _ = try Queue(name: String(repeating: "q", count: 101), database: database) }
            #expect(throws: QuaeroError.self) { _ = try Queue(name: "a\nb", database: database) }
            #expect(throws: QuaeroError.self) {
                _ = try Queue(name: "q", database: database, options: QueueOptions(maxReceive: 0))
            }
            let error = try #require(throws: QuaeroError.self) { _ = try Queue(name: "", database: database) }
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("queue name is empty"))
            #expect(try await queue.stats().totals == QueueStats.Counts())
        }
    }
}
