import Foundation
@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

/// Many limit keys at once (issue 14): the claim passes over saturated keys without starving any.
@Suite("Flow control: 1,000 keys each limited to 1", .timeLimit(.minutes(2)))
struct ManyKeysTests {
    static let keys = 1000
    static let rounds = 10

    @Test("10,000 messages over 1,000 keys each limited to 1: every key serial and in order, none starved",
          arguments: StoreKind.available)
    func thousandSerialKeys(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, store in
            // Round r holds one message of each key, sent after round r - 1.
            for round in 0..<Self.rounds {
                let messages = (0..<Self.keys).map { key in
                    NewMessage(OutgoingMessage(body: Data("\(key) \(round)".utf8)), limits: MessageLimits(key: "k\(key)", maxInFlight: 1))
                }
                _ = try await store.write { [name = queue.name] tx in try await tx.send(messages, queue: name) }
            }
            var inFlight: [String: Receipt] = [:]
            var delivered = [Int](repeating: 0, count: Self.keys)
            var previous: [ReceivedMessage] = []
            while delivered.reduce(0, +) < Self.keys * Self.rounds {
                // 700 a claim while the last claim's 700 are still in flight: those keys must be passed over.
                let batch = try await queue.deliver(700).messages
                try #require(!batch.isEmpty, "a claim found nothing with \(delivered.reduce(0, +)) delivered")
                for message in batch {
                    let parts = message.text.split(separator: " ").compactMap { Int($0) }
                    let (key, round) = (parts[0], parts[1])
                    #expect(inFlight["k\(key)"] == nil, "key \(key) was delivered twice at once")
                    inFlight["k\(key)"] = message.receipt
                    #expect(round == delivered[key], "key \(key) out of order: round \(round) after \(delivered[key])")
                    delivered[key] += 1
                }
                // No key falls behind: the claim takes the oldest message of each free key.
                #expect(delivered.max()! - delivered.min()! <= 2, "a key starved: \(delivered.min()!) vs \(delivered.max()!)")
                // The last claim's messages are acked together (one write: on PostgreSQL 700 single deletes were
                // 700 round trips of the test's two minutes).
                let receipts = previous.map(\.receipt)
                let acked = try await store.write { tx in try await tx.delete(receipts) }
                #expect(acked.count == receipts.count)
                for message in previous {
                    let key = message.text.split(separator: " ")[0]
                    inFlight["k\(key)"] = nil
                }
                previous = batch
            }
            #expect(delivered.allSatisfy { $0 == Self.rounds })
        }
    }
}
