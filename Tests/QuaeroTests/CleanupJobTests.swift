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

    /// The data loss of issue 10: `--older-than 1h` became `age_threshold_days: 0`, which deleted every ended
    /// job. With a manual clock: of two jobs that ended 61 and 59 minutes ago, only the first is older than 1h.
    @Test(.timeLimit(.minutes(1)))
    func aPreciseAgeNeverDeletesAYoungerJob() async throws {
        let clock = ManualClock()
        try await withAppStore(clock: clock) { database, _ in
            let manager = JobManager(queue: try Queue(name: "jobs", store: database))
            try await manager.start()
            let pool = try WorkerPool(manager: manager)
            QuaeroJobs.register(on: pool)
            pool.register("ok") { _ in nil }
            try await pool.start()
            do {
                let older = try await runToEnd("ok", config: [:], manager)
                clock.advance(by: .seconds(2 * 60))
                let younger = try await runToEnd("ok", config: [:], manager)
                // A dead letter, made by hand in one write (so that no worker takes the message meanwhile).
                let queue = manager.queue
                try await queue.store.write { tx in
                    _ = try await queue.send(OutgoingMessage(body: Data("poison".utf8)), in: tx)
                    let delivered = try #require(try await queue.receive(limit: 1, owner: nil, in: tx).messages.first)
                    try await queue.deadLetter(delivered.receipt, reason: "poison", in: tx)
                }
                clock.advance(by: .seconds(59 * 60))

                let cleanup = try await runToEnd(.cleanup, config: ["older_than": .string("1h"), "dead_letter_older_than": .string("1h")], manager)
                #expect(cleanup.status == .completed, "\(cleanup.error ?? "")")
                #expect(cleanup.result?["deleted_jobs"]?.intValue == 1)
                #expect(cleanup.result?["purged_dead_letters"]?.intValue == 0, "the dead letter is 59 minutes old")
                await #expect(throws: QuaeroError.self) { _ = try await manager.getJob(older.id) }
                #expect(try await manager.getJob(younger.id).status == .completed)
                #expect(try await manager.queue.stats().totals.dead == 1)

                // The same age in minutes, at the top level of the config as a sent body has it, and in days.
                clock.advance(by: .seconds(2 * 60))
                let minutes = try await runToEnd(.cleanup, config: [:], fields: ["older_than": .string("60m")], manager)
                #expect(minutes.result?["deleted_jobs"]?.intValue == 1, "\(minutes.error ?? "")")
                #expect(try await runToEnd(.cleanup, config: ["age_threshold_days": .number(1)], manager).result?["deleted_jobs"]?.intValue == 0)
            } catch {
                await pool.stop()
                throw error
            }
            await pool.stop()
        }
    }

    @Test("bad settings are refused naming the field; an age of zero or less only with all_ages", arguments: [
        (["age_threshold_days": .number(-1)], "age_threshold_days"),
        (["age_threshold_days": .number(0)], "age_threshold_days"),
        (["age_threshold_days": .string("old")], "age_threshold_days"),
        (["older_than": .string("0s")], "older_than"),
        (["older_than": .number(-5)], "older_than"),
        (["older_than": .string("soon")], "older_than"),
        (["dead_letter_older_than": .string("0ms")], "dead_letter_older_than"),
        (["dead_letter_age_days": .number(0)], "dead_letter_age_days"),
        (["older_than": .string("1h"), "age_threshold_days": .number(1)], "older_than"),
        (["all_ages": .bool(true), "older_than": .string("1h")], "older_than"),
        (["status_filter": .array([.string("done")])], "status_filter[0]"),
        (["status_filter": .array([.string("running")])], "status_filter[0]"),
        (["status_filter": .array([])], "status_filter"),
        (["older_then": .string("1h")], "older_then"),
    ] as [([String: JSONValue], String)])
    func badSettingsAreRefusedWithTheFieldNamed(config: [String: JSONValue], field: String) throws {
        let error = #expect(throws: JobConfigError.self) { _ = try CleanupJob.Settings(config) }
        #expect(error?.field == field, "\(error?.message ?? "")")
    }

    @Test func settingsReadBothFormsOfEachAge() throws {
        #expect(try CleanupJob.Settings([:]) == CleanupJob.Settings(age: .seconds(30 * 86_400), deadLetterAge: .seconds(30 * 86_400)))
        #expect(try CleanupJob.Settings(["older_than": .string("90m"), "dead_letter_age_days": .number(2)])
                == CleanupJob.Settings(age: .seconds(90 * 60), deadLetterAge: .seconds(2 * 86_400)))
        #expect(try CleanupJob.Settings(["older_than": .number(1.5)]).age == .milliseconds(1500))
        #expect(try CleanupJob.Settings(["all_ages": .bool(true)]) == CleanupJob.Settings(age: .zero, deadLetterAge: .zero))
        let error = #expect(throws: JobConfigError.self) { _ = try CleanupJob.Settings(["older_than": .string("0s")]) }
        #expect(error?.message.contains("all_ages") == true, "the error says how to ask for every age")
    }
}

/// Creates a job of `type` with `config` and waits for it to end; returns the ended record.
private func runToEnd(_ type: JobType, config: [String: JSONValue], fields: [String: JSONValue] = [:], _ manager: JobManager) async throws -> Job {
    let job = try await manager.createJob(JobSpec(type: type, config: config, fields: fields))
    #expect(try await waitUntil { try await manager.getJob(job.id).status.isTerminal })
    return try await manager.getJob(job.id)
}
