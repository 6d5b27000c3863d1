@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

/// `jobStats()` and `endsPerMinute` come from counters a store keeps in the transaction of each status change
/// (DESIGN §5), not from counting rows: after every kind of change they equal what the rows say.
@Suite("Job counts kept with each status change", .timeLimit(.minutes(1)))
struct JobCountsTests {
    /// Counts by type and status, and the mean run time, from the rows themselves (every job, listed).
    static func fromRows(_ manager: JobManager) async throws -> [JobType: JobTypeStats] {
        var stats: [JobType: JobTypeStats] = [:]
        var runs: [JobType: (total: Int64, count: Int64)] = [:]
        var after: String?
        repeat {
            let page = try await manager.listJobs(JobFilter(limit: 1000, after: after))
            for job in page {
                var entry = stats[job.type] ?? JobTypeStats()
                switch job.status {
                case .pending: entry.pending += 1
                case .running: entry.running += 1
                case .completed: entry.completed += 1
                case .failed: entry.failed += 1
                case .cancelled: entry.cancelled += 1
                }
                stats[job.type] = entry
                if job.status == .completed || job.status == .failed, let started = job.startedAt, let finished = job.finishedAt {
                    runs[job.type, default: (0, 0)].total += finished - started
                    runs[job.type, default: (0, 0)].count += 1
                }
            }
            after = page.count == 1000 ? page.last?.id : nil
        } while after != nil
        for (type, run) in runs where run.count > 0 {
            stats[type]?.averageRunTime = .milliseconds(Double(run.total) / Double(run.count))
        }
        return stats
    }

    /// Expects the counters to equal the rows.
    static func expectCounts(_ h: JobHarness, _ step: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let counters = try await h.manager.stats()
        let rows = try await fromRows(h.manager)
        #expect(counters == rows, "after \(step): counters \(counters) but rows \(rows)", sourceLocation: sourceLocation)
    }

    /// Claims up to `limit` jobs now (as a worker pool does).
    static func claim(_ h: JobHarness, _ limit: Int) async throws -> [(ReceivedMessage, Job)] {
        try await h.manager.claim(limit: limit, owner: nil).compactMap { claimed in claimed.job.map { (claimed.message, $0) } }
    }

    @Test("counts by type and status and the mean run time follow every kind of change: create, claim, complete, retry, dead-letter, cancel, requeue, delete, reconcile",
          arguments: StoreKind.available)
    func countersFollowEveryChange(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, queue: QueueOptions(visibilityTimeout: .seconds(30), maxReceive: 2), start: false) { h in
            let m = h.manager
            try await Self.expectCounts(h, "nothing")
            try await m.createJobs((0..<6).map { _ in JobSpec(type: "alpha") })
            let parent = try await m.createJob(JobSpec(type: "parent"))
            for _ in 0..<3 { try await m.createJob(JobSpec(type: "kid", parentID: parent.id)) }
            try await Self.expectCounts(h, "create")

            let first = try await Self.claim(h, 4)
            #expect(first.count == 4)
            try await Self.expectCounts(h, "claim")
            h.clock.advance(by: .milliseconds(1500))
            _ = try await m.end(first[0].0, .attempt(first[0].1, .succeeded(.string("ok"), effects: [])))
            _ = try await m.end(first[1].0, .attempt(first[1].1, .failed("boom", retryAfter: .zero)))
            _ = try await m.end(first[2].0, .attempt(first[2].1, .unrecoverable("bad input")))
            try await Self.expectCounts(h, "complete, retry, dead-letter")

            // The retried job fails again: max_receive 2 dead-letters it.
            h.clock.advance(by: .milliseconds(10))
            let again = try await Self.claim(h, 10)
            for (message, job) in again where job.id == first[1].1.id {
                _ = try await m.end(message, .attempt(job, .failed("boom again", retryAfter: .zero)))
            }
            try await Self.expectCounts(h, "max_receive")

            try await m.cancel(parent.id)
            try await Self.expectCounts(h, "cancel a subtree")
            #expect(try await m.requeueDeadLetters().count == 2)
            try await Self.expectCounts(h, "requeue dead letters")
            try await m.deleteJob(parent.id)
            try await Self.expectCounts(h, "delete a subtree")

            // A crash: a running job whose message is back in the queue, unleased, goes back to pending.
            let crashed = try await Self.claim(h, 1)
            _ = try await h.store.write { tx in try await tx.giveBack(crashed[0].0.receipt) }
            try await m.start()
            try await Self.expectCounts(h, "reconcile")

            let stats = try await m.stats()
            #expect(stats["parent"] == nil && stats["kid"] == nil, "a type without jobs is absent")
            #expect(stats["alpha"]?.averageRunTime != nil)
        }
    }

    /// Ends a claimed job's attempt: it succeeds, or fails for good.
    static func end(_ h: JobHarness, _ item: (ReceivedMessage, Job), failed: Bool = false) async throws {
        _ = try await h.manager.end(item.0, .attempt(item.1, failed ? .unrecoverable("no") : .succeeded(nil, effects: [])))
    }

    /// Moves the manual clock (which starts on a minute boundary) to the middle of the next minute, creates jobs
    /// of these types and claims them all; returns that minute and the claimed jobs.
    static func claimedMidMinute(_ h: JobHarness, types: [JobType]) async throws -> (minute: Int64, claimed: [(ReceivedMessage, Job)]) {
        h.clock.advance(by: .seconds(90))
        try await h.manager.createJobs(types.map { JobSpec(type: $0) })
        return (h.clock.nowMillis() / 60_000, try await claim(h, types.count))
    }

    @Test("jobs ended per minute: completed and failed in the minute of their end, zeros for quiet minutes; at most a day",
          arguments: StoreKind.available)
    func endsPerMinute(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let m = h.manager
            let (minute, claimed) = try await Self.claimedMidMinute(h, types: Array(repeating: "alpha", count: 3))
            try await Self.end(h, claimed[0])
            try await Self.end(h, claimed[1])
            h.clock.advance(by: .seconds(60))
            try await Self.end(h, claimed[2], failed: true)
            h.clock.advance(by: .seconds(60))
            let counts = try await m.endsPerMinute(last: 4)
            #expect(counts == [
                JobMinuteCounts(minute: minute - 1), JobMinuteCounts(minute: minute, completed: 2),
                JobMinuteCounts(minute: minute + 1, failed: 1), JobMinuteCounts(minute: minute + 2),
            ])
            // A day later the slots hold newer minutes only.
            h.clock.advance(by: .seconds(86_400))
            #expect(try await m.endsPerMinute(last: 1440).allSatisfy { $0.completed == 0 && $0.failed == 0 })
            await #expect(throws: QuaeroError.self) { try await m.endsPerMinute(last: 0) }
            await #expect(throws: QuaeroError.self) { try await m.endsPerMinute(last: 1441) }
        }
    }

    @Test("ends land in their minute when a type's minutes follow one another, come late, straddle a minute in one commit, and come from several types",
          arguments: StoreKind.available)
    func endsOutOfOrder(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let m = h.manager
            let (minute, claimed) = try await Self.claimedMidMinute(h, types: Array(repeating: "alpha", count: 6) + Array(repeating: "beta", count: 3))
            let alpha = claimed.filter { $0.1.type == "alpha" }, beta = claimed.filter { $0.1.type == "beta" }
            // minute: two of alpha; the next minute: one of alpha, one of beta.
            try await Self.end(h, alpha[0])
            try await Self.end(h, alpha[1])
            h.clock.advance(by: .seconds(60))
            try await Self.end(h, alpha[2])
            try await Self.end(h, beta[0])
            // A late commit of the first minute (another process's clock, or an end computed before the minute
            // turned and committed after): it counts in its own minute.
            h.clock.advance(by: .seconds(-60))
            try await Self.end(h, alpha[3], failed: true)
            h.clock.advance(by: .seconds(60))
            // One commit whose ends straddle the turn of a minute.
            try await h.store.write { tx in
                _ = try await m.engine.finish(alpha[4].1, receipt: alpha[4].0.receipt, outcome: .succeeded(nil, effects: []), in: tx)
                h.clock.advance(by: .seconds(60))
                _ = try await m.engine.finish(alpha[5].1, receipt: alpha[5].0.receipt, outcome: .unrecoverable("no"), in: tx)
                _ = try await m.engine.finish(beta[1].1, receipt: beta[1].0.receipt, outcome: .succeeded(nil, effects: []), in: tx)
            }
            #expect(try await m.endsPerMinute(last: 3) == [
                JobMinuteCounts(minute: minute, completed: 2, failed: 1), JobMinuteCounts(minute: minute + 1, completed: 3),
                JobMinuteCounts(minute: minute + 2, completed: 1, failed: 1),
            ])
            // An hour later the counts are where they were, and the next ends count in their own minute.
            h.clock.advance(by: .seconds(3600))
            try await Self.end(h, beta[2], failed: true)
            let hour = try await m.endsPerMinute(last: 63)
            #expect(hour.prefix(3).map { [$0.completed, $0.failed] } == [[2, 1], [3, 0], [1, 1]])
            #expect(hour.last == JobMinuteCounts(minute: minute + 62, failed: 1))
            #expect(hour.dropFirst(3).dropLast().allSatisfy { $0.completed == 0 && $0.failed == 0 })
            try await Self.expectCounts(h, "ends in and out of order")
        }
    }
}
