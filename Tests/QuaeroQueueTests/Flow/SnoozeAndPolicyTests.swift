import Foundation
@testable import QuaeroQueue
import QuaeroTestSupport
import Synchronization
import Testing

private struct Flaky: Error {}

/// A handler's snooze and fail-for-good, and per-type policies (DESIGN §8).
@Suite("Flow control: snooze, fail for good and per-type policies", .timeLimit(.minutes(1)))
struct SnoozeAndPolicyTests {
    @Test("a snooze brings the job back after its delay without spending an attempt", arguments: StoreKind.available)
    func snooze(_ kind: StoreKind) async throws {
        let runs = Recorder<Int>()
        let events = Recorder<JobEvent.Kind>()
        // max_receive 1: a snooze that counted would dead-letter the job at its second run.
        try await withJobHarness(kind, queue: QueueOptions(visibilityTimeout: .seconds(30), maxReceive: 1),
                                 pool: WorkerPoolOptions(pollInterval: .seconds(1), backoffJitter: 0), register: { pool in
            pool.register("nap") { context in
                runs.append(context.attempt)
                if runs.count < 3 { try context.snooze(for: .seconds(10)) }
                return .string("awake")
            }
        }) { h in
            let stream = h.manager.events()
            let listener = Task { for await event in stream { events.append(event.kind) } }
            defer { listener.cancel() }
            let job = try await h.manager.createJob(JobSpec(type: "nap"))
            for round in 1...2 {
                #expect(await waitUntil { runs.count == round })
                #expect(try await waitUntil { try await h.status(job.id) == .pending })
                let message = try #require(try await h.messageID(of: job.id))
                #expect(try await h.hiddenFor(message) == 10_000, "back after its delay")
                #expect(try await h.store.message(message)?.received == 0, "the delivery was refunded")
                #expect(try await h.manager.getJob(job.id).attempts == 0, "the attempt does not count")
                h.clock.advance(by: .seconds(10))
            }
            #expect(try await h.wait(job.id, .completed))
            #expect(runs.all == [1, 1, 1], "every run is attempt 1")
            let done = try await h.manager.getJob(job.id)
            #expect(done.attempts == 1)
            #expect(done.result == .string("awake"))
            #expect(await waitUntil { events.all.filter { $0 == .snoozed }.count == 2 })
            #expect(!events.all.contains(.retried))
        }
    }

    @Test("fail for good ends the job failed at once, without the retries max_receive would allow", arguments: StoreKind.available)
    func failForGood(_ kind: StoreKind) async throws {
        let runs = Atomic<Int>(0)
        try await withJobHarness(kind, register: { pool in
            pool.register("doomed") { context in
                runs.add(1, ordering: .relaxed)
                try context.fail("the input can never work")
            }
        }) { h in
            let job = try await h.manager.createJob(JobSpec(type: "doomed"))
            #expect(try await h.wait(job.id, .failed))
            let failed = try await h.manager.getJob(job.id)
            #expect(failed.attempts == 1)
            #expect(failed.error == "the input can never work")
            #expect(runs.load(ordering: .relaxed) == 1)
            #expect(try await h.queue.deadLetters().map(\.jobID) == [job.id])
        }
    }

    @Test("a type's own timeout, max_receive and backoff replace the general ones", arguments: StoreKind.available)
    func typePolicy(_ kind: StoreKind) async throws {
        let clock = ManualClock()
        try await withStore(kind, clock: clock) { store in
            let policies = JobPolicies(types: [
                "flaky": JobTypePolicy(maxReceive: 5, backoffBase: .seconds(7), backoffMax: .seconds(7)),
                "stuck": JobTypePolicy(timeout: .seconds(2), maxReceive: 1),
            ])
            let queue = try Queue(name: "jobs", store: store, options: QueueOptions(visibilityTimeout: .seconds(30), maxReceive: 1))
            let manager = try JobManager(queue: queue, policies: policies)
            let pool = try WorkerPool(manager: manager, options: WorkerPoolOptions(pollInterval: .seconds(3600), backoffJitter: 0))
            pool.register("flaky") { _ in throw Flaky() }
            pool.register("stuck") { _ in
                try await waitForCancellation()
                return nil
            }
            try await pool.start()
            let flaky = try await manager.createJob(JobSpec(type: "flaky"))
            let stuck = try await manager.createJob(JobSpec(type: "stuck"))
            // flaky: retried (max_receive 5 instead of 1) after its own 7 s backoff.
            #expect(await waitUntil {
                let job = try? await manager.getJob(flaky.id)
                return job?.status == .pending && job?.attempts == 1
            })
            let message = try #require(try await store.read { try await $0.messages(.job(flaky.id)).first })
            #expect(message.visibleAt - clock.nowMillis() == 7_000)
            // stuck: its own 2 s timeout (counted from its claim) fails it; max_receive 1 ends it.
            #expect(await waitUntil { (try? await manager.getJob(stuck.id).status) == .running })
            clock.advance(by: .seconds(2))
            #expect(await waitUntil { (try? await manager.getJob(stuck.id).status) == .failed })
            #expect(try await manager.getJob(stuck.id).error?.contains("run timeout of 2.0 seconds") == true)
            await pool.stop()
        }
    }
}
