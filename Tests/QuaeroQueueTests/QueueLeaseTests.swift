import Foundation
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("Queue: leases, retries and dead letters")
struct QueueLeaseTests {
    /// A receipt whose lease expired and whose message went to another consumer.
    private func staleReceipt(_ queue: Queue, _ clock: ManualClock) async throws -> (stale: Receipt, current: ReceivedMessage) {
        _ = try await queue.send(Data("job"))
        let first = try #require(try await queue.receive().first)
        clock.advance(by: .seconds(31))
        let second = try #require(try await queue.receive().first)
        return (first.receipt, second)
    }

    @Test(arguments: StoreKind.available) func staleReceiptCanNeitherDeleteExtendReleaseNorDeadLetter(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, clock, _ in
            let (stale, current) = try await staleReceipt(queue, clock)
            let before = try await queue.stats()
            for attempt in 0..<4 {
                let error = await #expect(throws: QuaeroError.self) {
                    switch attempt {
                    case 0: try await queue.delete(stale)
                    case 1: try await queue.extend(stale, by: .seconds(60))
                    case 2: try await queue.release(stale, error: "stale")
                    default: try await queue.deadLetter(stale, reason: "stale")
                    }
                }
                #expect(error?.code == .leaseLost)
            }
            #expect(try await queue.stats() == before)
            // The current holder is unaffected: its lease still hides the message, and it can delete it.
            clock.advance(by: .seconds(29))
            #expect(try await queue.receive().isEmpty)
            try await queue.delete(current.receipt)
            #expect(try await queue.stats().totals == QueueStats.Counts())
        }
    }

    @Test(arguments: StoreKind.available) func extendKeepsTheMessageHidden(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, clock, _ in
            _ = try await queue.send(Data("long"))
            let message = try #require(try await queue.receive().first)
            for _ in 0..<5 {
                clock.advance(by: .seconds(20))
                try await queue.extend(message.receipt, by: .seconds(30))
                #expect(try await queue.receive().isEmpty)
            }
            try await queue.delete(message.receipt)
        }
    }

    @Test(arguments: StoreKind.available) func releaseRequeuesAfterTheDelayWithTheError(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, clock, _ in
            _ = try await queue.send(Data("retry"))
            let message = try #require(try await queue.receive().first)
            #expect(try await queue.release(message.receipt, after: .seconds(5), error: "boom") == .requeued)
            #expect(try await queue.stats().totals.delayed == 1)
            #expect(try await queue.receive().isEmpty)
            clock.advance(by: .seconds(5))
            let again = try #require(try await queue.receive().first)
            #expect(again.received == 2)
            #expect(again.lastError == "boom")
        }
    }

    @Test(arguments: StoreKind.available) func maxReceiveDeadLettersAndNeverDeliversAgain(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, clock, _ in
            _ = try await queue.send(Data("poison"), type: "crash")
            for attempt in 1...3 {
                let message = try #require(try await queue.receive().first)
                #expect(message.received == attempt)
                clock.advance(by: .seconds(31)) // the worker crashed: the lease expires
            }
            #expect(try await queue.receive().isEmpty)
            clock.advance(by: .seconds(3600))
            #expect(try await queue.receive().isEmpty)
            let dead = try await queue.deadLetters()
            #expect(dead.count == 1)
            #expect(dead[0].received == 3)
            #expect(dead[0].type == "crash")
            #expect(dead[0].error?.contains("max_receive 3") == true)
            #expect(try await queue.stats().totals.dead == 1)
        }
    }

    @Test(arguments: StoreKind.available) func releaseAtMaxReceiveDeadLettersWithTheLastError(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, _ in
            _ = try await queue.send(Data("fails"))
            for attempt in 1...3 {
                let message = try #require(try await queue.receive().first)
                let outcome = try await queue.release(message.receipt, error: "error \(attempt)")
                #expect(outcome == (attempt < 3 ? .requeued : .deadLettered))
            }
            #expect(try await queue.receive().isEmpty)
            let dead = try #require(try await queue.deadLetters().first)
            #expect(dead.error == "error 3")
            #expect(dead.received == 3)
        }
    }

    @Test(arguments: StoreKind.available) func requeueGivesAFreshCount(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, clock, _ in
            let id = try await queue.send(Data("again"))
            let message = try #require(try await queue.receive().first)
            try await queue.deadLetter(message.receipt, reason: "bad input")
            #expect(try await queue.deadLetters().first?.error == "bad input")
            try await queue.requeue(id)
            let back = try #require(try await queue.receive().first)
            #expect(back.id == id)
            #expect(back.received == 1)
            // The old receipt stays stale after the requeue.
            await #expect(throws: QuaeroError.self) { try await queue.delete(message.receipt) }
            let error = await #expect(throws: QuaeroError.self) { try await queue.requeue(id) }
            #expect(error?.code == .notFound)
            _ = clock
        }
    }

    @Test(arguments: StoreKind.available) func requeueAllAndPurgeDeadLetters(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, clock, _ in
            for i in 0..<4 { _ = try await queue.send(Data("d\(i)")) }
            for message in try await queue.receive(limit: 4) { try await queue.deadLetter(message.receipt, reason: "x") }
            #expect(try await queue.requeueAllDeadLetters() == 4)
            #expect(try await queue.stats().totals.ready == 4)
            for message in try await queue.receive(limit: 2) { try await queue.deadLetter(message.receipt, reason: "x") }
            clock.advance(by: .seconds(100))
            for message in try await queue.receive(limit: 2) { try await queue.deadLetter(message.receipt, reason: "y") }
            #expect(try await queue.purgeDeadLetters(olderThan: .seconds(50)) == 2)
            #expect(try await queue.deadLetters().map(\.error) == ["y", "y"])
            #expect(try await queue.purgeDeadLetters() == 2)
            #expect(try await queue.stats().totals == QueueStats.Counts())
        }
    }

    @Test(arguments: StoreKind.available) func purgeDeletesLiveMessagesOnly(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, _ in
            for i in 0..<3 { _ = try await queue.send(Data("p\(i)")) }
            _ = try await queue.send(Data("later"), delay: .seconds(60))
            let dead = try #require(try await queue.receive().first)
            try await queue.deadLetter(dead.receipt, reason: "keep me")
            #expect(try await queue.purge() == 3)
            let stats = try await queue.stats()
            #expect(stats.totals.ready + stats.totals.delayed + stats.totals.inFlight == 0)
            #expect(stats.totals.dead == 1)
        }
    }

    @Test(arguments: StoreKind.available) func statsCountEveryStateAndType(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, clock, _ in
            _ = try await queue.send(Data("a"), type: "alpha")
            _ = try await queue.send(Data("b"), type: "alpha")
            _ = try await queue.send(Data("c"), type: "beta", delay: .seconds(60))
            _ = try await queue.send(Data("d"))
            clock.advance(by: .seconds(2))
            let taken = try #require(try await queue.receive().first)
            #expect(taken.type == "alpha")
            let gone = try #require(try await queue.receive().first)
            try await queue.deadLetter(gone.receipt, reason: "x")
            let stats = try await queue.stats()
            #expect(stats.queue == "test")
            #expect(stats.totals.ready == 1)
            #expect(stats.totals.delayed == 1)
            #expect(stats.totals.inFlight == 1)
            #expect(stats.totals.dead == 1)
            #expect(stats.oldestReadyAgeSeconds == 2)
            #expect(stats.byType["beta"]?.delayed == 1)
            #expect(stats.byType["alpha"]?.inFlight == 1)
        }
    }
}
