import Foundation
@testable import Quaero
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("Cleanup job")
struct CleanupJobTests {
    /// Runs jobs on a real pool with a manual clock, then cleanup: exactly the old ended jobs in the filter go.
    @Test(.timeLimit(.minutes(1)))
    func deletesExactlyTheOldEndedJobsInTheFilter() async throws {
        let clock = ManualClock()
        try await withAppStore(clock: clock) { database, _ in
            let queue = try Queue(name: "jobs", store: database)
            let manager = JobManager(queue: queue)
            try await manager.start()
            let pool = try WorkerPool(manager: manager, clock: clock)
            QuaeroJobs.register(on: pool)
            pool.register("ok") { _ in nil }
            pool.register("bad") { _ in throw UnrecoverableJobError("always fails") }
            try await pool.start()
            do {
                try await exercise(manager)
            } catch {
                await pool.stop()
                throw error
            }
            await pool.stop()
        }
    }

    private func exercise(_ manager: JobManager) async throws {
        let clock = try #require(manager.queue.clock as? ManualClock)
        do {

            func finished(_ type: JobType) async throws -> Job {
                let job = try await manager.createJob(JobSpec(type: type))
                #expect(try await waitUntil { try await manager.getJob(job.id).status.isTerminal })
                return job
            }
            let oldCompleted = try await finished("ok")
            let oldFailed = try await finished("bad")
            let waiting = try await manager.createJob(JobSpec(type: "ok", delay: .seconds(86_400 * 100)))
            clock.advance(by: .seconds(86_400 * 31))
            let recent = try await finished("ok")

            let onlyCompleted = try await runToEnd(JobType.cleanup, config: ["age_threshold_days": .number(30), "status_filter": .array([.string("completed")])], manager)
            #expect(onlyCompleted.result?["deleted_jobs"]?.intValue == 1)
            await #expect(throws: QuaeroError.self) { _ = try await manager.getJob(oldCompleted.id) }
            #expect(try await manager.getJob(oldFailed.id).status == .failed)

            let defaults = try await runToEnd(JobType.cleanup, config: [:], manager)
            #expect(defaults.result?["deleted_jobs"]?.intValue == 1)
            await #expect(throws: QuaeroError.self) { _ = try await manager.getJob(oldFailed.id) }
            #expect(try await manager.getJob(waiting.id).status == .pending)
            #expect(try await manager.getJob(recent.id).status == .completed)
        }
    }

    @Test func badSettingsAreRefusedWithTheFieldNamed() throws {
        #expect(throws: UnrecoverableJobError.self) { _ = try CleanupJob.Settings(["age_threshold_days": .number(-1)]) }
        #expect(throws: UnrecoverableJobError.self) { _ = try CleanupJob.Settings(["age_threshold_days": .string("old")]) }
        #expect(throws: UnrecoverableJobError.self) { _ = try CleanupJob.Settings(["status_filter": .array([.string("done")])]) }
        #expect(throws: UnrecoverableJobError.self) { _ = try CleanupJob.Settings(["status_filter": .array([.string("running")])]) }
        let error = #expect(throws: UnrecoverableJobError.self) { _ = try CleanupJob.Settings(["status_filter": .array([.string("done")])]) }
        #expect(error?.reason.contains("\"done\"") == true)
        #expect(try CleanupJob.Settings([:]) == CleanupJob.Settings(ageThresholdDays: 30))
    }
}

/// Creates a job of `type` with `config` and waits for it to end; returns the ended record.
private func runToEnd(_ type: JobType, config: [String: JSONValue], _ manager: JobManager) async throws -> Job {
    let job = try await manager.createJob(JobSpec(type: type, config: config))
    #expect(try await waitUntil { try await manager.getJob(job.id).status.isTerminal })
    return try await manager.getJob(job.id)
}
