import Foundation
@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

/// A queue's live messages listed by state (the dashboard's queue page): each state in delivery order,
/// keyset paged, the states a partition of the live messages at the store's time.
@Suite("Queue listing by state", .timeLimit(.minutes(1)))
struct QueueListingTests {
    /// Every page of `state` with `limit` messages a page, following the last position of each.
    static func allPages(_ store: any QuaeroStore, _ state: QueuedMessage.State, limit: Int) async throws -> [[QueuedMessage]] {
        var pages: [[QueuedMessage]] = []
        var after: MessagePosition?
        while true {
            let query = MessageQuery.queue("jobs", state: state, after: after, limit: limit)
            let page = try await store.read { try await $0.messages(query) }
            if page.isEmpty { return pages }
            #expect(page.count <= limit)
            pages.append(page)
            after = MessagePosition(try #require(page.last))
        }
    }

    /// What each state must list: the live messages of `ids` in that state, in delivery order.
    static func expected(_ store: any QuaeroStore, _ ids: [MessageID]) async throws -> [QueuedMessage.State: [MessageID]] {
        var all: [QueuedMessage] = []
        for id in ids { if let message = try await store.message(id) { all.append(message) } }
        let sorted = all.sorted { MessagePosition($0).precedes(MessagePosition($1)) }
        return Dictionary(grouping: sorted, by: \.state).mapValues { $0.map(\.id) }
    }

    static func check(_ store: any QuaeroStore, _ ids: [MessageID], limit: Int = 2) async throws {
        let expected = try await expected(store, ids)
        for state in [QueuedMessage.State.ready, .delayed, .inFlight] {
            let pages = try await allPages(store, state, limit: limit)
            #expect(pages.flatMap { $0.map(\.id) } == expected[state] ?? [], "\(state)")
            #expect(pages.flatMap { $0 }.allSatisfy { $0.state == state }, "\(state)")
        }
    }

    @Test("ready, delayed and in flight each list their messages once, in delivery order, page by page, as time passes",
          arguments: StoreKind.available)
    func byState(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            var ids: [MessageID] = []
            // Several messages at one time (equal visible times: the id breaks the tie), three priorities, delays.
            for priority in [0, 5, -3] {
                for n in 0..<4 {
                    let job = try await h.manager.createJob(JobSpec(type: "work", priority: priority, delay: n == 3 ? .seconds(10) : .zero))
                    ids.append(try #require(try await h.messageID(of: job.id)))
                }
                h.clock.advance(by: .milliseconds(1))
            }
            let late = try await h.manager.createJob(JobSpec(type: "work", priority: 5, delay: .seconds(20)))
            ids.append(try #require(try await h.messageID(of: late.id)))
            // Messages without a job are listed while ready or delayed.
            ids.append(try await h.queue.send(Data("bare".utf8), type: "bare"))
            ids.append(try await h.queue.send(Data("bare later".utf8), type: "bare", delay: .seconds(15), priority: 5))
            // The claim takes the three best: priority 5, oldest first.
            let claimed = try await h.manager.claim(limit: 3, owner: nil, types: ["work"])
            #expect(claimed.count == 3)
            try await Self.check(h.store, ids)
            let inFlight = try await Self.allPages(h.store, .inFlight, limit: 10).flatMap { $0 }
            #expect(Set(inFlight.map(\.id)) == Set(claimed.map(\.message.id)))

            // Some delays pass; later the leases (30 s) end, and their messages are ready again.
            h.clock.advance(by: .seconds(12))
            try await Self.check(h.store, ids, limit: 3)
            #expect(try await Self.allPages(h.store, .delayed, limit: 10).flatMap { $0 }.count == 2)
            h.clock.advance(by: .seconds(20))
            try await Self.check(h.store, ids, limit: 1)
            #expect(try await Self.allPages(h.store, .inFlight, limit: 10).isEmpty)
            #expect(try await Self.allPages(h.store, .ready, limit: 4).flatMap { $0 }.count == ids.count)
        }
    }

    @Test("a position survives its message: the next page starts after it even when it was claimed or deleted",
          arguments: StoreKind.available)
    func positionOutlivesItsMessage(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            var ids: [MessageID] = []
            for _ in 0..<5 { ids.append(try await h.queue.send(Data("x".utf8), type: "bare")) }
            let first = try await h.store.read { try await $0.messages(.queue("jobs", state: .ready, after: nil, limit: 2)) }
            #expect(first.map(\.id) == Array(ids.prefix(2)))
            try await h.store.write { tx in try await tx.deleteMessages([first[1].id]) }
            let next = try await h.store.read { try await $0.messages(.queue("jobs", state: .ready, after: MessagePosition(first[1]), limit: 10)) }
            #expect(next.map(\.id) == Array(ids.suffix(3)))
        }
    }

    @Test("dead letters are not listed by state: the error names the operation that lists them", arguments: StoreKind.available)
    func deadIsRefused(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let error = await #expect(throws: QuaeroError.self) {
                try await h.store.read { try await $0.messages(.queue("jobs", state: .dead, after: nil, limit: 10)) }
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("deadLetters") == true)
        }
    }

    @Test("a position reads back from its text; anything else is refused")
    func positionText() {
        let position = MessagePosition(priority: -3, visibleAt: 1_767_225_600_123, id: 42)
        #expect(MessagePosition(position.description) == position)
        for bad in ["", "1.2", "1.2.3.4", "a.2.3", "1.2.x", "1..3"] { #expect(MessagePosition(bad) == nil, "\(bad)") }
    }
}
