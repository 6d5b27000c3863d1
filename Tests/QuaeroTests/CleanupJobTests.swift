import Foundation
import Quaero
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("The cleanup job on a real worker pool", .timeLimit(.minutes(1)))
struct CleanupJobTests {
    @Test("deletes exactly the old finished top-level jobs in the filter, with their children; keeps the rest")
    func deletesExactly() async throws {
        try await withTemporaryDatabase { database, _ in
            let clock = ManualClock()
            let manager = JobManager(queue: try Queue(name: "jobs", database: database, clock: clock))
            let pool = try WorkerPool(manager: manager, options: WorkerPoolOptions(pollInterval: .seconds(3600), backoffJitter: 0), clock: clock)
            pool.register("noop") { _ in nil }
            pool.register("boom") { _ in throw UnrecoverableJobError("boom") }
            pool.register("with_child") { context in
                try await context.createChild(JobSpec(type: "noop"))
                return nil
            }
            CleanupJob(manager: manager, deadLetterAge: .seconds(30 * 86_400), clock: clock).register(on: pool)
            try await pool.start()

            // Old: finished now, 31 days before the cleanup.
            let completed = try await manager.submit(JobSpec(type: "noop"))
            _ = try await completed.result()
            let parent = try await manager.submit(JobSpec(type: "with_child"))
            _ = try await parent.result()
            let child = try #require(try await manager.getJobWithChildren(parent.id).children.first)
            let failed = try await manager.submit(JobSpec(type: "boom"))
            _ = try? await failed.result()
            let cancelled = try await manager.createJob(JobSpec(type: "noop", delay: .seconds(3600)))
            try await manager.cancel(cancelled.id)
            let documents = DocumentStore(database: database, clock: clock)
            let page = try await documents.upsert(url: "https://example.com/", title: "T", text: "t", jobID: parent.id).id
            #expect(try await manager.queue.deadLetters().count == 1)

            clock.advance(by: .seconds(31 * 86_400))
            let recent = try await manager.submit(JobSpec(type: "noop"))
            _ = try await recent.result()

            let cleanup = try await manager.submit(JobSpec(type: .cleanup, config: ["age_threshold_days": .number(30)]))
            let result = try await cleanup.result()
            #expect(result == .object(["deleted_jobs": .number(3), "dead_letters_purged": .number(1)]))

            let remaining = Set(try await manager.listJobs().map(\.id))
            #expect(remaining == [failed.id, recent.id, cleanup.id])
            for gone in [completed.id, parent.id, child.id, cancelled.id] {
                await #expect(throws: QuaeroError.self) { try await manager.getJob(gone) }
            }
            #expect(try await documents.document(id: page)?.jobID == nil, "documents stay; their crawl is forgotten")
            #expect(try await manager.queue.deadLetters().isEmpty)
            await pool.stop()
        }
    }

    @Test("a bad cleanup config fails the job at once, naming the field")
    func badConfig() async throws {
        try await withTemporaryDatabase { database, _ in
            let manager = JobManager(queue: try Queue(name: "jobs", database: database))
            let pool = try WorkerPool(manager: manager, options: WorkerPoolOptions(pollInterval: .milliseconds(50)))
            CleanupJob(manager: manager).register(on: pool)
            try await pool.start()
            let handle = try await manager.submit(JobSpec(type: .cleanup, config: ["status_filter": .array([.string("running")])]))
            let error = await #expect(throws: JobFailedError.self) { try await handle.result() }
            #expect(error?.error?.contains("cleanup config: status_filter[0] is \"running\"") == true, "\(error?.error ?? "")")
            await pool.stop()
        }
    }
}

@Suite("The cleanup scheduler", .timeLimit(.minutes(1)))
struct CleanupSchedulerTests {
    @Test("creates one cleanup job per interval, never a second while one is queued, and stops when cancelled")
    func ticks() async throws {
        try await withTemporaryDatabase { database, _ in
            let clock = ManualClock()
            let manager = JobManager(queue: try Queue(name: "jobs", database: database, clock: clock))
            let request = CleanupRequest(ageThresholdDays: 7, statusFilter: ["completed"])
            let scheduler = CleanupScheduler(manager: manager, interval: .seconds(3600), request: request, clock: clock)
            let running = Task { try await scheduler.run() }

            #expect(await waitUntil { clock.sleeperCount == 1 })
            #expect(try await manager.listJobs().isEmpty, "nothing before the first interval")
            clock.advance(by: .seconds(3600))
            #expect(await waitUntil { (try? await manager.listJobs().count) == 1 })
            let job = try #require(try await manager.listJobs().first)
            #expect(job.type == .cleanup)
            #expect(try CleanupRequest(json: .object(job.config)) == request)

            #expect(await waitUntil { clock.sleeperCount == 1 })
            clock.advance(by: .seconds(3600))
            #expect(await waitUntil { clock.sleeperCount == 1 })
            #expect(try await manager.listJobs().map(\.id) == [job.id], "the queued one is reused")

            running.cancel()
            try await running.value
        }
    }
}
