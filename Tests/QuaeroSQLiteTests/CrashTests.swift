import Foundation
@testable import QuaeroQueue
@testable import QuaeroSQLite
import QuaeroTestSupport
import Testing

/// Crash safety with real processes: a worker process is SIGKILLed at random moments and restarted while a
/// poison job kills its own process on every attempt. Every innocent job completes exactly as often as it
/// must; the poison job is dead-lettered after exactly max_receive deaths that counted (those where it ran
/// alone), and no innocent job is charged for a death it did not cause.
@Suite("Crash safety", .serialized, .timeLimit(.minutes(3)))
struct CrashTests {
    static let jobs = 200
    static let kills = 20
    static let heartbeatMs = 100

    /// The worker binary, built beside the test bundle.
    static let workerPath = ChildProcess.builtExecutable("QuaeroCrashWorker")

    static func launch(_ path: String) throws -> Process {
        try ChildProcess.launch(workerPath, [path, "\(heartbeatMs)"])
    }

    @Test("kill -9 at random moments loses no job; a poison job is dead-lettered after exactly max_receive counted deaths; innocents all complete")
    func killRestart() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.workerPath), "build QuaeroCrashWorker first")
        try await withTemporaryStore { store, directory in
            let path = directory.path("quaero.db")
            let manager = JobManager(queue: try Queue(name: "crash", store: store))
            try await store.transaction { tx in
                try tx.connection.exec("CREATE TABLE crash_executions (job_id TEXT NOT NULL, attempt INTEGER NOT NULL, pid INTEGER NOT NULL)")
                for _ in 0..<Self.jobs { try await manager.createJob(JobSpec(type: "crash_job"), in: tx) }
            }
            let poison = try await manager.createJob(JobSpec(type: "poison"))
            /// Messages held by pools, by owner.
            @Sendable func owners() async throws -> Set<Int64> {
                try await store.read { reader in
                    Set(try await reader.messages(.queue("crash", state: .inFlight, after: nil, limit: 10_000)).compactMap(\.owner))
                }
            }

            var crashes = 0  // SIGKILLs by the test and deaths by the poison job
            var sigkills = 0
            var longestResume = Duration.zero
            var process = try Self.launch(path)
            while sigkills < Self.kills {
                try await Task.sleep(for: .milliseconds(Int.random(in: 20...250)))  // a random moment to kill at
                if process.isRunning { sigkills += 1 }
                await ChildProcess.killAndReap(process)
                crashes += 1
                let deadOwners = try await owners()
                let restarted = ContinuousClock.now
                process = try Self.launch(path)
                // The killed process's leases are released by the new one within about three heartbeats.
                let released = try await waitUntil(timeout: .seconds(10), pollEvery: .milliseconds(2)) {
                    if !process.isRunning {  // the poison job killed it: restart it, as a supervisor would
                        crashes += 1
                        process = try Self.launch(path)
                    }
                    return try await owners().isDisjoint(with: deadOwners)
                }
                #expect(released, "the leases of the killed worker were released")
                longestResume = max(longestResume, ContinuousClock.now - restarted)
            }
            let finished = try await waitUntil(timeout: .seconds(60), pollEvery: .milliseconds(20)) {
                // The poison job may kill the last worker too: restart it, as a supervisor would.
                if !process.isRunning {
                    crashes += 1
                    process = try Self.launch(path)
                }
                let stats = try await manager.stats()
                return stats.values.allSatisfy { $0.pending == 0 && $0.running == 0 }
            }
            // Let the last worker flush the job logs, then stop it.
            try await Task.sleep(for: .milliseconds(300))
            await ChildProcess.killAndReap(process)
            #expect(finished, "every job ended")

            let stats = try await manager.stats()
            let (executed, executions, poisonRuns) = try await store.database.read { c in
                (try c.queryFirst("SELECT count(DISTINCT job_id) FROM crash_executions WHERE job_id != ?1", [poison.id]) { $0.int(0) }!,
                 try c.queryFirst("SELECT count(*) FROM crash_executions WHERE job_id != ?1", [poison.id]) { $0.int(0) }!,
                 try c.queryFirst("SELECT count(*) FROM crash_executions WHERE job_id = ?1", [poison.id]) { $0.int(0) }!)
            }
            #expect(stats["crash_job"]?.completed == Self.jobs, "every innocent job completed, none was dead-lettered")
            #expect(executed == Self.jobs, "every job ran")
            let duplicates = executions - Self.jobs
            #expect(duplicates <= crashes * WorkerPoolOptions().concurrency, "at most the jobs in flight at each kill ran twice")
            #expect(try await manager.getJob(poison.id).status == .failed)
            let dead = try await manager.queue.deadLetters()
            #expect(dead.map(\.jobID) == [poison.id], "only the poison job was dead-lettered")
            #expect(dead.first?.received == 3, "after max_receive deliveries that counted")
            // Its log says which deaths counted: exactly max_receive of them (the ones where it ran alone).
            let lines = try await JobLogStore(store: store).entries(jobID: poison.id, limit: 1000).map(\.message)
            let counted = lines.filter { $0.contains("it ran alone, so this counts toward max_receive") }.count
            #expect(counted == 3, "\(lines)")
            #expect(poisonRuns >= 3)
            #expect(sigkills >= Self.kills)
            print("crash test: \(sigkills) SIGKILLs, \(crashes - sigkills) poison deaths (\(poisonRuns) poison runs, \(counted) counted), \(duplicates) duplicate executions, longest restart-to-resume \(longestResume)")
        }
    }
}
