import Foundation
@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

/// Crash safety with real processes: a worker process is SIGKILLed at random moments and restarted; every
/// job still completes, and a poison job that kills its process is dead-lettered after max_receive attempts.
@Suite("Crash safety", .serialized, .timeLimit(.minutes(2)))
struct CrashTests {
    static let jobs = 2000
    static let kills = 20
    static let heartbeatMs = 100

    /// The worker binary, built beside the test bundle.
    static let workerPath = ChildProcess.builtExecutable("QuaeroCrashWorker")

    static func launch(_ path: String) throws -> Process {
        try ChildProcess.launch(workerPath, [path, "\(heartbeatMs)"])
    }

    static func killAndReap(_ process: Process) async {
        await ChildProcess.killAndReap(process)
    }

    @Test("kill -9 at random moments loses no job; a poison job is dead-lettered after max_receive attempts")
    func killRestart() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.workerPath), "build QuaeroCrashWorker first")
        try await withTemporaryDatabase { database, directory in
            let path = directory.path("quaero.db")
            let manager = JobManager(queue: try Queue(name: "crash", database: database))
            try await database.write { c in
                try c.exec("CREATE TABLE crash_executions (job_id TEXT NOT NULL, attempt INTEGER NOT NULL, pid INTEGER NOT NULL)")
                for _ in 0..<Self.jobs { try manager.createJob(JobSpec(type: "crash_job"), in: c) }
            }
            let poison = try await manager.createJob(JobSpec(type: "poison"))

            var crashes = 0  // SIGKILLs by the test and deaths by the poison job
            var sigkills = 0
            var longestResume = Duration.zero
            var process = try Self.launch(path)
            while sigkills < Self.kills {
                try await Task.sleep(for: .milliseconds(Int.random(in: 20...250)))  // a random moment to kill at
                if process.isRunning { sigkills += 1 }
                await Self.killAndReap(process)
                crashes += 1
                let deadOwners = try await database.read { try $0.query("SELECT DISTINCT owner FROM messages WHERE owner IS NOT NULL", []) { $0.int64(0) } }
                let restarted = ContinuousClock.now
                process = try Self.launch(path)
                // The killed process's leases are released by the new one within about three heartbeats.
                let released = try await waitUntil(timeout: .seconds(10), pollEvery: .milliseconds(2)) {
                    if !process.isRunning {  // the poison job killed it: restart it, as a supervisor would
                        crashes += 1
                        process = try Self.launch(path)
                    }
                    return try await database.read { c in
                        try deadOwners.allSatisfy { owner in try c.queryFirst("SELECT count(*) FROM messages WHERE owner = ?1", [owner]) { $0.int(0) } == 0 }
                    }
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
                return try await database.read { c in
                    try c.queryFirst("SELECT count(*) FROM jobs WHERE status IN ('pending', 'running')", []) { $0.int(0) } == 0
                }
            }
            await Self.killAndReap(process)
            #expect(finished, "every job ended")

            let (completed, executed, executions, poisonRuns) = try await database.read { c in
                (try c.queryFirst("SELECT count(*) FROM jobs WHERE type = 'crash_job' AND status = 'completed'", []) { $0.int(0) }!,
                 try c.queryFirst("SELECT count(DISTINCT job_id) FROM crash_executions WHERE job_id != ?1", [poison.id]) { $0.int(0) }!,
                 try c.queryFirst("SELECT count(*) FROM crash_executions WHERE job_id != ?1", [poison.id]) { $0.int(0) }!,
                 try c.queryFirst("SELECT count(*) FROM crash_executions WHERE job_id = ?1", [poison.id]) { $0.int(0) }!)
            }
            #expect(completed == Self.jobs, "every job completed")
            #expect(executed == Self.jobs, "every job ran")
            let duplicates = executions - Self.jobs
            #expect(duplicates <= crashes * WorkerPoolOptions().concurrency, "at most the jobs in flight at each kill ran twice")
            #expect(poisonRuns == 3, "the poison job ran exactly max_receive times")
            #expect(try await manager.getJob(poison.id).status == .failed)
            let dead = try await manager.queue.deadLetters()
            #expect(dead.count == 1 && dead.first?.received == 3)
            #expect(sigkills >= Self.kills)
            print("crash test: \(sigkills) SIGKILLs, \(crashes - sigkills) poison deaths, \(duplicates) duplicate executions, longest restart-to-resume \(longestResume)")
        }
    }
}
