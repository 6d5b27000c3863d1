import Foundation
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("Queue: concurrency")
struct QueueConcurrencyTests {
    /// 4 producers and 4 consumers over 20,000 messages: each delivered and deleted exactly once.
    @Test(.timeLimit(.minutes(2)), arguments: StoreKind.available)
    func producersAndConsumersLoseNothing(_ kind: StoreKind) async throws {
        let total = 20_000, producers = 4, consumers = 4
        try await withStore(kind) { store in
            // Real time and a long lease: every delivery stays valid, so none may repeat.
            let queue = try Queue(name: "load", store: store, options: QueueOptions(visibilityTimeout: .seconds(600)))
            let produced = Locked(0)
            let seen = Locked<[Int: Int]>([:])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for p in 0..<producers {
                    group.addTask {
                        for i in stride(from: p, to: total, by: producers) {
                            _ = try await queue.send(Data(String(i).utf8))
                            produced.withLock { $0 += 1 }
                        }
                    }
                }
                for _ in 0..<consumers {
                    group.addTask {
                        while true {
                            let done = seen.withLock { $0.count } == total
                            if done { return }
                            let batch = try await queue.receive(limit: 10)
                            if batch.isEmpty { await Task.yield(); continue }
                            for message in batch {
                                let n = Int(String(decoding: message.body, as: UTF8.self))!
                                seen.withLock { $0[n, default: 0] += 1 }
                                try await queue.delete(message.receipt)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(produced.value == total)
            let counts = seen.value
            #expect(counts.count == total)
            #expect(counts.values.allSatisfy { $0 == 1 })
            let stats = try await queue.stats()
            #expect(stats.totals == QueueStats.Counts())
        }
    }

    /// Concurrent writers whose bodies fail do not disturb the others (on SQLite: in the same group commit).
    @Test(.timeLimit(.minutes(1)), arguments: StoreKind.available)
    func aFailingWriteInAGroupRollsBackOnlyItself(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let queue = try Queue(name: "g", store: store)
            struct Refused: Error {}
            let failures = Locked(0)
            await withTaskGroup(of: Void.self) { group in
                for i in 0..<400 {
                    group.addTask {
                        do {
                            try await store.write { tx in
                                _ = try await queue.send(OutgoingMessage(body: Data("\(i)")), in: tx)
                                if i % 4 == 0 { throw Refused() }
                            }
                        } catch {
                            failures.withLock { $0 += 1 }
                        }
                    }
                }
            }
            #expect(failures.value == 100)
            #expect(try await queue.stats().totals.ready == 300)
            let bodies = Set(try await queue.receive(limit: 300).map { Int(String(decoding: $0.body, as: UTF8.self))! })
            #expect(bodies.allSatisfy { $0 % 4 != 0 })
        }
    }
}
