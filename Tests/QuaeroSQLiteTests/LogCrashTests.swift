import Foundation
import QuaeroQueue
@testable import QuaeroSQLite
import QuaeroTestSupport
import Testing

/// The job log after a real kill -9: only the lines of the last unflushed interval may be missing.
@Suite("Job logs: kill -9", .timeLimit(.minutes(1)))
struct LogCrashTests {
    @Test("after kill -9 the stored lines are a prefix of those appended, short by at most about a batch")
    func killDuringLogging() async throws {
        let worker = ChildProcess.builtExecutable("QuaeroCrashWorker")
        try #require(FileManager.default.isExecutableFile(atPath: worker), "build QuaeroCrashWorker first")
        try await withTemporaryStore { store, directory in
            let jobID = JobMessage.newID()
            try await store.write { tx in
                _ = try await tx.insertJob(NewJobRecord(id: jobID, parentID: nil, type: "logger", config: [:], fields: [:],
                                                        messageID: 0, failOnChildFailure: true))
            }
            let printed = Locked("")
            let pipe = Pipe()
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                printed.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: worker)
            process.arguments = [directory.path("quaero.db"), "logs", jobID]
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            /// The highest count the child reported: lines it had certainly appended.
            func reported() -> Int {
                printed.value.split(separator: "\n").compactMap { Int($0) }.max() ?? 0
            }
            let enough = await waitUntil(timeout: .seconds(30), pollEvery: .milliseconds(5)) { reported() >= 700 }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            pipe.fileHandleForReading.readabilityHandler = nil
            #expect(enough, "the logging child reported only \(reported()) lines")
            let appended = reported()

            let stored = try await store.database.read { c in
                try c.query("SELECT message FROM job_logs WHERE job_id = ?1 ORDER BY id", [jobID]) { $0.text(0) }
            }
            // Nothing out of order or invented: exactly lines 0..<stored.count.
            #expect(stored == (0..<stored.count).map { "line \($0)" })
            // At default settings (batch 100, every 1 s) at about 1,000 lines a second, a flush happens about
            // every 100 lines: what is missing is the batch being filled plus the one being written.
            let missing = appended - stored.count
            print("log crash test: \(appended) appended before kill -9, \(stored.count) stored, at most \(max(0, missing)) missing")
            #expect(missing <= 2 * LogServiceOptions().batchSize + 50, "\(missing) lines lost of \(appended)")
            #expect(stored.count >= 500)
        }
    }
}
