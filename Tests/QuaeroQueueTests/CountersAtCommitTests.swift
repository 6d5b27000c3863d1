import Foundation
@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

/// The counters a store keeps for the overview (jobs by type and status, dead letters by type) commit and roll
/// back with the rows they count, whatever path changes them: they always equal what the rows say.
@Suite("Counters commit with the rows they count", .timeLimit(.minutes(1)))
struct CountersAtCommitTests {
    struct Rollback: Error {}

    /// Dead letters by type ('' for none) from the dead letters themselves.
    static func deadFromRows(_ queue: Queue) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for letter in try await queue.deadLetters(limit: 10_000) { counts[letter.type ?? "", default: 0] += 1 }
        return counts
    }

    /// Expects the queue's dead-letter counts (by type and in total) to equal the rows.
    static func expectDead(_ queue: Queue, _ step: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let stats = try await queue.stats()
        let counters = stats.byType.compactMapValues { $0.dead > 0 ? $0.dead : nil }
        let rows = try await deadFromRows(queue)
        #expect(counters == rows, "after \(step): counters \(counters) but rows \(rows)", sourceLocation: sourceLocation)
        #expect(stats.totals.dead == rows.values.reduce(0, +), "after \(step): total", sourceLocation: sourceLocation)
    }

    @Test("a write that rolls back leaves no counts, alone or committed together with others", arguments: StoreKind.available)
    func rolledBackWrites(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let m = h.manager
            await #expect(throws: Rollback.self) {
                try await h.store.write { tx in
                    _ = try await m.createJob(JobSpec(type: "alpha"), in: tx)
                    throw Rollback()
                }
            }
            try await JobCountsTests.expectCounts(h, "a lone write rolled back")
            // Concurrent writes share a commit (each in its own savepoint on SQLite): the failing ones drop
            // only their own changes.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        do {
                            try await h.store.write { tx in
                                _ = try await m.createJob(JobSpec(type: index % 2 == 0 ? "alpha" : "beta"), in: tx)
                                if index % 3 == 0 { throw Rollback() }
                            }
                        } catch is Rollback {}
                    }
                }
                try await group.waitForAll()
            }
            try await JobCountsTests.expectCounts(h, "concurrent writes, a third rolled back")
            let stats = try await m.stats()
            #expect(stats["alpha"]?.pending == 13 && stats["beta"]?.pending == 13)

            // A claim and a dead letter rolled back with their writes.
            try await m.createJob(JobSpec(type: "gamma"))
            await #expect(throws: Rollback.self) {
                try await h.store.write { tx in
                    let claimed = try await tx.claim(ReceiveRequest(queue: h.queue.name, limit: 100, visibility: .seconds(30),
                                                                    maxReceive: 3))
                    for item in claimed.claimed { _ = try await tx.deadLetter(item.message.receipt, reason: "no") }
                    throw Rollback()
                }
            }
            try await JobCountsTests.expectCounts(h, "a claim rolled back")
            try await Self.expectDead(h.queue, "a dead letter rolled back")
        }
    }

    @Test("job counts follow parents that settle, snoozes, interrupted attempts, a retried job that then completes, and cleanup",
          arguments: StoreKind.available)
    func moreJobPaths(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let m = h.manager
            let parent = try await m.createJob(JobSpec(type: "parent"))
            let claimedParent = try await JobCountsTests.claim(h, 1)
            for _ in 0..<2 { try await m.createJob(JobSpec(type: "kid", parentID: parent.id)) }
            h.clock.advance(by: .milliseconds(200))
            _ = try await m.end(claimedParent[0].0, .attempt(claimedParent[0].1, .succeeded(nil, effects: [])))
            try await JobCountsTests.expectCounts(h, "a parent waiting for its children")
            let kids = try await JobCountsTests.claim(h, 2)
            h.clock.advance(by: .milliseconds(300))
            for (message, job) in kids { _ = try await m.end(message, .attempt(job, .succeeded(nil, effects: []))) }
            #expect(try await m.getJob(parent.id).status == .completed)
            try await JobCountsTests.expectCounts(h, "a parent settled by its last child")

            try await m.createJobs((0..<3).map { _ in JobSpec(type: "alpha", config: ["n": .number(1)]) })
            let three = try await JobCountsTests.claim(h, 3)
            _ = try await m.end(three[0].0, .attempt(three[0].1, .snoozed(.zero)))
            _ = try await m.end(three[1].0, .attempt(three[1].1, .interrupted))
            _ = try await m.end(three[2].0, .attempt(three[2].1, .failed("flaky", retryAfter: .zero)))
            try await JobCountsTests.expectCounts(h, "snooze, interrupted, retry")

            h.clock.advance(by: .milliseconds(10))
            let again = try await JobCountsTests.claim(h, 3)
            #expect(again.count == 3)
            h.clock.advance(by: .milliseconds(50))
            for (message, job) in again { _ = try await m.end(message, .attempt(job, .succeeded(nil, effects: []))) }
            let retried = try await m.getJob(three[2].1.id)
            #expect(retried.status == .completed && retried.error == nil, "the retry's error is cleared at completion")
            #expect(try await m.listJobs(JobFilter(search: "flaky")).isEmpty, "the cleared error leaves the search index")
            try await JobCountsTests.expectCounts(h, "completions after a snooze, an interruption and a retry")

            // Cleanup deletes ended top-level jobs (the parent's delete cascades to its children).
            h.clock.advance(by: .seconds(5))
            for id in try await m.endedJobs(olderThan: .seconds(1), statuses: [.completed]) { try await m.deleteJob(id) }
            try await JobCountsTests.expectCounts(h, "cleanup")
            #expect(try await m.stats().isEmpty)
            let ended = try await m.endsPerMinute(last: 2).reduce(0) { $0 + $1.completed }
            #expect(ended == 6, "deleting jobs keeps the minutes they ended in")
        }
    }

    @Test("a new job's text is found by search at once, and after its status changes", arguments: StoreKind.available)
    func searchOfNewJobs(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let m = h.manager
            let job = try await m.createJob(JobSpec(type: "page", config: ["url": .string("https://example.com/findme")]))
            try await m.createJob(JobSpec(type: "page"))
            #expect(try await m.listJobs(JobFilter(search: "findme")).map(\.id) == [job.id])
            let claimed = try await JobCountsTests.claim(h, 2)
            for (message, claimedJob) in claimed { _ = try await m.end(message, .attempt(claimedJob, .succeeded(nil, effects: []))) }
            #expect(try await m.listJobs(JobFilter(search: "findme")).map(\.id) == [job.id])
            try await m.deleteJob(job.id)
            #expect(try await m.listJobs(JobFilter(search: "findme")).isEmpty)
        }
    }

    @Test("dead-letter counts by type follow dead-lettering, expired deliveries, requeues, purges and deletes",
          arguments: StoreKind.available)
    func deadLetterCounts(_ kind: StoreKind) async throws {
        try await withQueue(kind, options: QueueOptions(visibilityTimeout: .seconds(30), maxReceive: 1)) { queue, clock, store in
            try await Self.expectDead(queue, "nothing")
            for type in ["a", "a", "b", nil, "c"] as [String?] { _ = try await queue.send(Data("x".utf8), type: type) }
            var received = try await queue.receive(limit: 5)
            #expect(received.count == 5)
            try await queue.deadLetter(received[0].receipt, reason: "bad")
            #expect(try await queue.release(received[1].receipt, error: "boom") == .deadLettered)
            try await queue.deadLetter(received[2].receipt, reason: "bad")
            try await queue.deadLetter(received[3].receipt, reason: "bad")
            try await Self.expectDead(queue, "dead-lettered by the worker and at max_receive")

            // The last delivery's lease expires: the next receive dead-letters it on the way.
            clock.advance(by: .seconds(31))
            received = try await queue.receive(limit: 5)
            #expect(received.isEmpty)
            try await Self.expectDead(queue, "an expired delivery at max_receive")

            let letters = try await queue.deadLetters(limit: 100)
            try await queue.requeue(letters.first { $0.type == "b" }!.id)
            try await Self.expectDead(queue, "one requeued")
            let orphan = letters.first { $0.type == nil }!.id
            try await store.write { tx in try await tx.deleteMessages([orphan]) }
            try await Self.expectDead(queue, "one deleted")
            clock.advance(by: .seconds(60))
            for message in try await queue.receive(limit: 5) { try await queue.deadLetter(message.receipt, reason: "again") }
            #expect(try await queue.purgeDeadLetters(olderThan: .seconds(30)) == 3)
            try await Self.expectDead(queue, "the older ones purged")
            #expect(try await queue.stats().totals.dead == 1)
            #expect(try await queue.requeueAllDeadLetters() == 1)
            try await Self.expectDead(queue, "all requeued")
            #expect(try await queue.stats().totals.dead == 0)
        }
    }
}
