import Foundation
@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

/// Successful ends recorded together (`JobManager.end(succeeded:next:)`, what a pool's `EndBatcher`
/// writes where the store asks for it): the same rules as one end at a time, on every store.
@Suite("Batched ends of successful attempts")
struct BatchedEndsTests {
    struct EffectFailed: Error {}

    /// Claims every job now, keyed by id.
    static func claimAll(_ h: JobHarness, _ limit: Int) async throws -> [String: (message: ReceivedMessage, job: Job)] {
        var claimed: [String: (message: ReceivedMessage, job: Job)] = [:]
        for message in try await h.manager.claim(limit: limit, owner: nil) {
            let job = try #require(message.job)
            claimed[job.id] = (message.message, job)
        }
        return claimed
    }

    @Test("a lost delivery in a batch is left alone (its write does not run), the others complete with their writes and results, and their parent settles",
          arguments: StoreKind.available)
    func lostOneOfMany(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let m = h.manager
            try await TestRows.createTable(in: h.store)
            let parent = try await m.createJob(JobSpec(type: "parent"))
            let a = try await m.createJob(JobSpec(type: "kid", parentID: parent.id))
            let b = try await m.createJob(JobSpec(type: "kid", parentID: parent.id))
            let c = try await m.createJob(JobSpec(type: "alone"))
            let claimed = try await Self.claimAll(h, 10)
            #expect(claimed.count == 4)
            let (parentMessage, parentJob) = try #require(claimed[parent.id])
            try await m.end(parentMessage, .attempt(parentJob, .succeeded(nil, effects: [])))
            // c's delivery is no longer current (given back, as a reaper would).
            let cReceipt = try #require(claimed[c.id]).message.receipt
            #expect(try await h.store.write { tx in try await tx.giveBack(cReceipt) })
            func attempt(_ id: String, effect: @escaping SuccessEffect) throws -> SucceededAttempt {
                let (message, job) = try #require(claimed[id])
                return SucceededAttempt(job: job, receipt: message.receipt, result: .string("returned"), effects: [effect])
            }
            let (lost, next) = try await m.end(succeeded: [
                try attempt(a.id) { tx in try await TestRows.insert("a", in: tx); return nil },
                try attempt(b.id) { _ in .string("from its write") },
                try attempt(c.id) { tx in try await TestRows.insert("c", in: tx); return nil },
            ], next: nil)
            #expect(lost == [cReceipt])
            #expect(next.claimed.isEmpty)
            #expect(try await TestRows.names(in: h.store) == ["a"])
            #expect(try await m.getJob(a.id).status == .completed)
            #expect(try await m.getJob(a.id).result == .string("returned"))
            #expect(try await m.getJob(b.id).result == .string("from its write"))
            #expect(try await m.getJob(parent.id).status == .completed)
            #expect(try await m.getJob(c.id).status != .completed)
        }
    }

    @Test("without handlers' writes a batch deletes and completes in one call: a lost delivery is left alone, the others complete with their results, and their parent settles",
          arguments: StoreKind.available)
    func lostOneOfManyWithoutWrites(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let m = h.manager
            let parent = try await m.createJob(JobSpec(type: "parent"))
            let kids = [try await m.createJob(JobSpec(type: "kid", parentID: parent.id)),
                        try await m.createJob(JobSpec(type: "kid", parentID: parent.id))]
            let lostJob = try await m.createJob(JobSpec(type: "alone"))
            let claimed = try await Self.claimAll(h, 10)
            let (parentMessage, parentJob) = try #require(claimed[parent.id])
            try await m.end(parentMessage, .attempt(parentJob, .succeeded(nil, effects: [])))
            let lostReceipt = try #require(claimed[lostJob.id]).message.receipt
            #expect(try await h.store.write { tx in try await tx.giveBack(lostReceipt) })
            let attempts = try (kids + [lostJob]).map { job in
                let (message, claimedJob) = try #require(claimed[job.id])
                return SucceededAttempt(job: claimedJob, receipt: message.receipt, result: .string("result of \(job.id)"), effects: [])
            }
            let (lost, _) = try await m.end(succeeded: attempts, next: nil)
            #expect(lost == [lostReceipt])
            for kid in kids {
                let done = try await m.getJob(kid.id)
                #expect(done.status == .completed)
                #expect(done.result == .string("result of \(kid.id)"))
                #expect(try await h.messageID(of: kid.id) == nil, "its message is deleted")
            }
            #expect(try await m.getJob(parent.id).status == .completed)
            #expect(try await m.getJob(lostJob.id).status == .running, "its job waits for its delivery to come back")
            #expect(try await h.messageID(of: lostJob.id) != nil)
        }
    }

    @Test("a batch whose handler's write fails records nothing; each end then recorded alone succeeds, and the batch claims next messages",
          arguments: StoreKind.available)
    func failedWrite(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let m = h.manager
            let jobs = try await m.createJobs((0..<4).map { _ in JobSpec(type: "alpha") })
            let claimed = try await Self.claimAll(h, 2)
            let attempts = claimed.values.map { SucceededAttempt(job: $0.job, receipt: $0.message.receipt, result: nil, effects: []) }
            var failing = attempts
            failing[1] = SucceededAttempt(job: attempts[1].job, receipt: attempts[1].receipt, result: nil,
                                          effects: [{ _ in throw EffectFailed() }])
            await #expect(throws: EffectFailed.self) { _ = try await m.end(succeeded: failing, next: m.request(limit: 2, owner: nil)) }
            for attempt in attempts { #expect(try await m.getJob(attempt.job.id).status == .running) }
            // Nothing was recorded: the same deliveries are still current, and end together now, claiming the other two.
            let (lost, next) = try await m.end(succeeded: attempts, next: m.request(limit: 2, owner: nil))
            #expect(lost.isEmpty)
            #expect(Set(next.claimed.compactMap { $0.job?.id }) == Set(jobs.map(\.id)).subtracting(claimed.keys))
            for attempt in attempts { #expect(try await m.getJob(attempt.job.id).status == .completed) }
        }
    }
}
