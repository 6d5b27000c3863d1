import Foundation
import Synchronization
@testable import QuaeroPostgres
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// Single sends, receives and acks that tasks on one of the store's threads ask for at the same moment share a
/// statement (`StatementGathering`), and a thread's connections wait for their replies together
/// (`ConnectionThread`).
@Suite("PostgreSQL: operations of one thread that share a statement", .enabled(if: hasPostgres))
struct GatheringTests {
    /// Runs `count` bodies as child tasks on `thread`, all queued there before any starts (the parent task runs
    /// on `thread` too, and suspends only once all are queued): their operations reach the store together.
    func together<T: Sendable>(on thread: any TaskExecutor, _ count: Int,
                               _ body: @escaping @Sendable (Int) async throws -> T) async -> [Result<T, any Error>] {
        await Task(executorPreference: thread) {
            await withTaskGroup(of: (Int, Result<T, any Error>).self) { group in
                for n in 0..<count {
                    group.addTask(executorPreference: thread) {
                        do { return (n, .success(try await body(n))) } catch { return (n, .failure(error)) }
                    }
                }
                var results = [Result<T, any Error>?](repeating: nil, count: count)
                for await (n, result) in group { results[n] = result }
                return results.map { $0! }
            }
        }.value
    }

    /// Runs `body` with a store of two connections on a fresh schema, the executor of its first thread, and a
    /// queue named `name`.
    func withThreadQueue(_ name: String, _ body: (PostgresStore, any TaskExecutor, Queue) async throws -> Void) async throws {
        try await withPostgresSchema { url in
            let store = try await PostgresStore.open(url, options: PostgresStoreOptions(poolSize: 2, pollOnly: true))
            try await closing(store) {
                try await body(store, try #require(store.affinityExecutors(1).first), try Queue(name: name, store: store))
            }
        }
    }

    /// The transactions that wrote the rows of `queue` (their `xmin`): one for rows a single statement wrote.
    func writers(_ store: PostgresStore, _ queue: String) async throws -> Int {
        try await count(store, "SELECT count(DISTINCT xmin::text)::bigint FROM messages WHERE queue = '\(queue)'")
    }

    @Test("sends, receives and acks asked for at once on one thread each share one statement, and each caller gets its own outcome")
    func sharedStatements() async throws {
        try await withThreadQueue("g") { store, near, queue in
            let sent = try await together(on: near, 4) { n in try await queue.send(Data("m\(n)".utf8)) }.map { try $0.get() }
            #expect(Set(sent).count == 4, "four ids: \(sent)")
            #expect(try await writers(store, "g") == 1, "the four rows were inserted by one statement")
            let bodies = try await sql(store, "SELECT id, body FROM messages WHERE queue = 'g' ORDER BY id")
                .map { (try $0.int64(0), String(decoding: try $0.data(1), as: UTF8.self)) }
            #expect(bodies.map(\.0) == sent.sorted())
            #expect(Dictionary(uniqueKeysWithValues: bodies)[sent[2]] == "m2", "each caller got its own message's id")

            // Five receives of one message each, four messages ready: one claim, dealt out in order.
            let received = try await together(on: near, 5) { _ in try await queue.receive() }.map { try $0.get() }
            let messages = received.flatMap { $0 }
            #expect(received.map(\.count).sorted() == [0, 1, 1, 1, 1])
            #expect(Set(messages.map(\.id)) == Set(sent), "every message delivered once")
            #expect(try await writers(store, "g") == 1, "the four leases were taken by one statement")

            // Acks: four current receipts, one of them asked twice, and one stale.
            var receipts = messages.map(\.receipt)
            receipts.append(receipts[0])
            receipts.append(Receipt(messageID: receipts[1].messageID, lease: receipts[1].lease &+ 1))
            let asked = receipts
            let acked = await together(on: near, asked.count) { n in try await queue.delete(asked[n]) }
            let lost = acked.enumerated().filter { if case .failure = $0.element { true } else { false } }.map(\.offset)
            #expect(lost.count == 2 && lost.contains(5), "the stale receipt and one of the twice-asked are lost: \(lost)")
            #expect(lost.contains(0) != lost.contains(4), "one of the two acks of one receipt succeeded")
            for index in lost {
                #expect(throws: QuaeroError.self) { try acked[index].get() }
                if case .failure(let error as QuaeroError) = acked[index] { #expect(error.code == .leaseLost) }
            }
            #expect(try await queue.stats().totals.ready == 0)
            #expect(try await count(store, "SELECT count(*)::bigint FROM messages WHERE queue = 'g'") == 0)
        }
    }

    @Test("a send the server refuses fails its own caller only; the others sharing its statement are stored")
    func refusedSend() async throws {
        try await withThreadQueue("r") { store, near, queue in
            // PostgreSQL's text holds no NUL character: the type of the second send is refused.
            let results = await together(on: near, 3) { n in
                try await queue.send(Data("\(n)".utf8), type: n == 1 ? "bad\u{0}type" : "good")
            }
            let error = try #require({ if case .failure(let error) = results[1] { error as? QuaeroError } else { nil } }())
            #expect(error.storeCode == "22021" && error.message.contains("0x00"), "\(error)")
            #expect(!error.message.contains("password"))
            let stored = try [results[0].get(), results[2].get()]
            #expect(try await queue.stats().totals.ready == 2)
            // Sent again alone after the shared statement failed: two transactions.
            #expect(try await writers(store, "r") == 2)
            #expect(try await queue.receive(limit: 2).map(\.id).sorted() == stored.sorted())
        }
    }

    @Test("a statement that waits does not hold up the other connections of its thread")
    func waitsDoNotBlockTheThread() async throws {
        try await withPostgresSchema { url in
            // Places p and p + threads share a thread: with two places a thread, the first thread has two.
            let threads = ProcessInfo.processInfo.activeProcessorCount
            let store = try await PostgresStore.open(url, options: PostgresStoreOptions(poolSize: 2 * threads, pollOnly: true))
            try await closing(store) {
                let near = try #require(store.affinityExecutors(1).first)
                let queue = try Queue(name: "w", store: store)
                let order = Events()
                let sleeping = Flag()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask(executorPreference: near) {
                        try await store.read { reader in
                            sleeping.set()
                            _ = try await (reader as! PostgresTransaction).query("SELECT pg_sleep(3)", [])
                        }
                        order.add("slept")
                    }
                    group.addTask(executorPreference: near) {
                        #expect(await waitUntil { sleeping.isSet })
                        for n in 0..<20 { _ = try await queue.send(Data("\(n)".utf8)) }
                        order.add("sent")
                    }
                    try await group.waitForAll()
                }
                #expect(order.list == ["sent", "slept"], "the sends on the same thread went on while the other statement waited")
                #expect(try await queue.stats().totals.ready == 20)
            }
        }
    }
}

/// What happened, in order, from any thread.
final class Events: Sendable {
    private let events = Mutex<[String]>([])
    func add(_ event: String) { events.withLock { $0.append(event) } }
    var list: [String] { events.withLock { $0 } }
}

@Suite("PostgreSQL: one claim dealt out to the receives that shared it")
struct DealtDeliveryTests {
    @Test("each request gets its limit's share in order; dead letters go to the first, the limits' news to all")
    func dealt() {
        let messages = (1...4).map { id in
            ReceivedMessage(id: MessageID(id), type: nil, body: Data(), received: 1, priority: 0,
                            receipt: Receipt(messageID: MessageID(id), lease: 7), createdAt: 0, lastError: nil, jobID: nil)
        }
        let delivery = Delivery(messages: messages, exhausted: [ExhaustedMessage(id: 9, jobID: nil, reason: "max_receive")],
                                heldBack: true, rateLimitedUntil: 1_000)
        let requests = [2, 1, 3, 1].map { ReceiveRequest(queue: "q", limit: $0, visibility: .seconds(30), maxReceive: 3) }
        let dealt = delivery.dealt(to: requests)
        #expect(dealt.map { $0.messages.map(\.id) } == [[1, 2], [3], [4], []])
        #expect(dealt.map(\.exhausted.count) == [1, 0, 0, 0])
        #expect(dealt.allSatisfy { $0.heldBack && $0.rateLimitedUntil == 1_000 })
    }
}
