import Foundation
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("Queue: send and receive")
struct QueueSendReceiveTests {
    @Test(arguments: StoreKind.available) func higherPriorityFirstThenFIFO(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, _ in
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

    @Test(arguments: StoreKind.available) func receiveManyKeepsPriorityOrder(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, _ in
            for i in 0..<10 { _ = try await queue.send(Data("m\(i)"), priority: i % 3) }
            let messages = try await queue.receive(limit: 10)
            #expect(messages.map(\.priority) == [2, 2, 2, 1, 1, 1, 0, 0, 0, 0])
            #expect(messages.filter { $0.priority == 0 }.map(\.text) == ["m0", "m3", "m6", "m9"])
        }
    }

    @Test(arguments: StoreKind.available) func delayIsRespected(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, clock, _ in
            _ = try await queue.send(Data("later"), delay: .seconds(10))
            #expect(try await queue.receive().isEmpty)
            clock.advance(by: .seconds(9))
            #expect(try await queue.receive().isEmpty)
            clock.advance(by: .seconds(1))
            #expect(try await queue.receive().map(\.text) == ["later"])
        }
    }

    @Test(arguments: StoreKind.available) func receivedMessageIsHiddenUntilTheLeaseExpires(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, clock, _ in
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

    @Test(arguments: StoreKind.available) func dedupKeyReturnsTheFirstIdUntilDeleted(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, _ in
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

    @Test(arguments: StoreKind.available) func sameKeyInAnotherQueueIsIndependent(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, store in
            let other = try Queue(name: "other", store: store)
            let a = try await queue.send(Data("a"), key: "k")
            let b = try await other.send(Data("b"), key: "k")
            #expect(a != b)
            #expect(try await other.receive().map(\.text) == ["b"])
            #expect(try await queue.receive().map(\.text) == ["a"])
        }
    }

    @Test(arguments: StoreKind.available) func batchSendIsAllOrNothing(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, store in
            let ids = try await queue.send(batch: (0..<5).map { OutgoingMessage(body: Data("b\($0)")) })
            #expect(ids.count == 5)
            #expect(Set(ids).count == 5)
            // A batch whose last send fails validation stores nothing.
            let bad = [OutgoingMessage(body: Data("ok")), OutgoingMessage(body: Data("bad"), delay: .seconds(-1))]
            await #expect(throws: QuaeroError.self) { try await queue.send(batch: bad) }
            // A batch whose third insert fails inside the store rolls back the first two.
            try await TestRows.refuseMessages(withBody: "bad", in: store)
            let failing = ["one", "two", "bad", "four"].map { OutgoingMessage(body: Data($0)) }
            await #expect(throws: QuaeroError.self) { try await queue.send(batch: failing) }
            #expect(try await queue.stats().totals.ready == 5)
        }
    }

    /// Large batches, where a store may send many messages with one statement (the SQLite store sends runs of
    /// plain messages in multi-row INSERTs): every message keeps its id, in the order sent, its type and delay,
    /// and a dedup key among them still answers the first id.
    @Test(arguments: StoreKind.available) func largeBatchKeepsEachMessageAndItsOrder(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, clock, store in
            let messages = (0..<150).map { (i: Int) -> OutgoingMessage in
                let type: String? = i % 3 == 0 ? nil : "t\(i % 3)"
                let delay: Duration = i % 13 == 0 ? .seconds(60) : .zero
                let key: String? = i == 120 ? "k7" : i % 10 == 7 ? "k\(i)" : nil
                return OutgoingMessage(body: Data("m\(i)".utf8), type: type, delay: delay, key: key)
            }
            let ids = try await queue.send(batch: messages)
            #expect(ids.count == 150)
            #expect(ids[120] == ids[7])
            let stored = ids.enumerated().filter { $0.offset != 120 }.map(\.element)
            #expect(stored == stored.sorted() && Set(stored).count == 149)
            var ready: [Int64: (body: String, type: String?)] = [:]
            for message in try await queue.receive(limit: 1000) {
                ready[message.id] = (message.text, message.type)
                try await queue.delete(message.receipt)
            }
            let expected = (0..<150).filter { $0 != 120 && $0 % 13 != 0 }
            #expect(ready.count == expected.count)
            for i in expected {
                #expect(ready[ids[i]]?.body == "m\(i)")
                #expect(ready[ids[i]]?.type == messages[i].type)
            }
            clock.advance(by: .seconds(61))
            let delayed = try await queue.receive(limit: 1000)
            #expect(delayed.map(\.text) == (0..<150).filter { $0 % 13 == 0 }.map { "m\($0)" })
            // A failing message deep in a large batch rolls back the whole batch.
            try await TestRows.refuseMessages(withBody: "bad", in: store)
            let before = try await queue.stats().totals
            let failing = (0..<100).map { (i: Int) -> OutgoingMessage in
                OutgoingMessage(body: Data((i == 70 ? "bad" : "x\(i)").utf8))
            }
            await #expect(throws: QuaeroError.self) { try await queue.send(batch: failing) }
            #expect(try await queue.stats().totals == before)
        }
    }

    @Test(arguments: StoreKind.available) func sendJoinsTheCallersTransaction(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, store in
            try await TestRows.createTable(in: store)
            struct Rollback: Error {}
            await #expect(throws: Rollback.self) {
                try await store.write { tx in
                    try await TestRows.insert("row", in: tx)
                    _ = try await queue.send(OutgoingMessage(body: Data("msg")), in: tx)
                    throw Rollback()
                }
            }
            #expect(try await TestRows.names(in: store).isEmpty)
            #expect(try await queue.stats().totals.ready == 0)
            try await store.write { tx in
                try await TestRows.insert("row", in: tx)
                _ = try await queue.send(OutgoingMessage(body: Data("msg")), in: tx)
            }
            #expect(try await TestRows.names(in: store) == ["row"])
            #expect(try await queue.receive().map(\.text) == ["msg"])
        }
    }

    @Test(arguments: StoreKind.available) func manyQueuesShareOneTable(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, store in
            let other = try Queue(name: "other", store: store)
            _ = try await queue.send(Data("mine"))
            _ = try await other.send(Data("theirs"))
            #expect(try await queue.receive(limit: 10).map(\.text) == ["mine"])
            #expect(try await other.receive(limit: 10).map(\.text) == ["theirs"])
        }
    }

    @Test(arguments: StoreKind.available) func badArgumentsAreRejected(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, store in
            await #expect(throws: QuaeroError.self) { _ = try await queue.send(Data("x"), delay: .seconds(-1)) }
            await #expect(throws: QuaeroError.self) { _ = try await queue.send(Data("x"), key: "") }
            await #expect(throws: QuaeroError.self) { _ = try await queue.receive(limit: 0) }
            await #expect(throws: QuaeroError.self) { _ = try await queue.receive(limit: 1001) }
            #expect(throws: QuaeroError.self) { _ = try Queue(name: "", store: store) }
            #expect(throws: QuaeroError.self) { _ = try Queue(name: String(repeating: "q", count: 101), store: store) }
            #expect(throws: QuaeroError.self) { _ = try Queue(name: "a\nb", store: store) }
            #expect(throws: QuaeroError.self) {
                _ = try Queue(name: "q", store: store, options: QueueOptions(maxReceive: 0))
            }
            let error = try #require(throws: QuaeroError.self) { _ = try Queue(name: "", store: store) }
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("queue name is empty"))
            #expect(try await queue.stats().totals == QueueStats.Counts())
        }
    }
}
