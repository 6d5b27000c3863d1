import Foundation
import Logging
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// The worker pool's events and a handler's own logger land in the job's log.
@Suite("Job logs: wiring", .timeLimit(.minutes(1)))
struct JobLogWiringTests {
    @Test(arguments: StoreKind.available) func startRetryFailureDeadLetterAndHandlerLinesAreLogged(_ kind: StoreKind) async throws {
        let clock = ManualClock()
        try await withStore(kind, clock: clock) { store in
            let queue = try Queue(name: "jobs", store: store, options: QueueOptions(maxReceive: 2))
            let manager = JobManager(queue: queue)
            let logs = try LogService(store: store)
            manager.addSink(JobEventLogSink(service: logs))
            let pool = try WorkerPool(manager: manager, options: WorkerPoolOptions(pollInterval: .seconds(1), backoffJitter: 0),
                                      logService: logs)
            pool.register("flaky") { context in
                context.logger.info("fetching page", metadata: ["url": "https://example.com"])
                throw QuaeroError(.timeout, "the server did not answer")
            }
            pool.register("ok") { _ in .string("fine") }
            try await pool.start()
            let flaky = try await manager.createJob(JobSpec(type: "flaky"))
            let ok = try await manager.createJob(JobSpec(type: "ok"))
            #expect(try await waitUntil { try await manager.getJob(ok.id).status == .completed })
            #expect(try await waitUntil {
                let job = try await manager.getJob(flaky.id)
                return job.status == .pending && job.attempts == 1
            })
            clock.advance(by: .seconds(1)) // the backoff of attempt 1, and a poll tick
            #expect(try await waitUntil { try await manager.getJob(flaky.id).status == .failed })
            await pool.stop()
            try await logs.flush()

            let lines = try await logs.store.entries(jobID: flaky.id, limit: 100).reversed().map { "\($0.level.rawValue) \($0.message)" }
            #expect(lines.contains("info attempt 1 started"), "\(lines)")
            #expect(lines.contains { $0.hasPrefix("info fetching page") && $0.contains("url=https://example.com") }, "\(lines)")
            #expect(lines.contains("warning attempt 1 failed; retrying in 1000 ms: the server did not answer"), "\(lines)")
            #expect(lines.contains { $0.hasPrefix("error failed") && $0.contains("the server did not answer") }, "\(lines)")
            let okLines = try await logs.store.entries(jobID: ok.id, limit: 100).map(\.message)
            #expect(okLines.contains("completed"))
            await logs.stop()
        }
    }
}
