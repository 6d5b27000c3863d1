import Foundation
import QuaeroTestSupport
import Testing

@Suite("CLI: worker and jobs")
struct WorkerCommandTests {
    /// `quaero worker` runs a cleanup job sent with `quaero send`, the job's log and record are readable
    /// with `quaero jobs`, and SIGTERM stops the worker with exit 0.
    @Test(.timeLimit(.minutes(1)))
    func workerRunsJobsAndStopsOnSIGTERM() async throws {
        try await withWorkspace { dir in
            #expect(try dir.quaero("send", "cleanup", #"{"config": {"age_threshold_days": 1}}"#).status == 0)
            #expect(try dir.quaero("send", "no_such_type", "{}").status == 0)
            let worker = try BackgroundQuaero(["worker"], in: dir.url)
            defer { worker.kill() }

            var cleanup: [String: Any]?
            let done = try await waitUntil(timeout: .seconds(20), pollEvery: .milliseconds(100)) {
                let jobs = try dir.quaeroJSON("jobs", "list", "--json") as? [[String: Any]] ?? []
                cleanup = jobs.first { $0["type"] as? String == "cleanup" }
                return cleanup?["status"] as? String == "completed"
            }
            #expect(done, "the cleanup job did not complete; worker output: \(worker.output())")
            let id = try #require(cleanup?["id"] as? String)

            let shown = try #require(try dir.quaeroJSON("jobs", "show", id, "--json") as? [String: Any])
            #expect(shown["status"] as? String == "completed")
            #expect((shown["result"] as? [String: Any])?["deleted_jobs"] as? Int == 0)
            #expect(shown["children"] as? [Any] != nil)

            // The job's log holds its start and its completion (written within a flush interval).
            let logged = try await waitUntil(timeout: .seconds(10), pollEvery: .milliseconds(100)) {
                let lines = try dir.quaeroJSON("jobs", "logs", id, "--json") as? [[String: Any]] ?? []
                return lines.contains { ($0["message"] as? String)?.contains("completed") == true }
            }
            #expect(logged)

            // The message of an unknown type is dead-lettered with the reason; the worker goes on.
            let dead = try dir.quaeroJSON("queue", "dead", "--json") as? [[String: Any]] ?? []
            #expect(dead.count == 1)
            #expect((dead.first?["error"] as? String)?.contains("no handler") == true)

            let status = await worker.terminate()
            #expect(status == 0, "worker output: \(worker.output())")
            let stats = try #require(try dir.quaeroJSON("queue", "stats", "--json") as? [String: Any])
            #expect(stats["in_flight"] as? Int == 0)
        }
    }

    @Test func jobsCommandsRejectBadInput() async throws {
        try await withWorkspace { dir in
            let unknown = try dir.quaero("jobs", "show", "01m834rx1c2f53x5sw4q9kmxym")
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("does not exist"))
            let badStatus = try dir.quaero("jobs", "list", "--status", "sleeping")
            #expect(badStatus.status == 2, "\(badStatus)")
            #expect(badStatus.stderr.contains("sleeping"))
            let badLevel = try dir.quaero("jobs", "logs", "01m834rx1c2f53x5sw4q9kmxym", "--level", "verbose")
            #expect(badLevel.status == 2, "\(badLevel)")
            #expect(badLevel.stderr.contains("verbose"))
            #expect(try dir.quaeroJSON("jobs", "list", "--json") as? [Any] != nil)
        }
    }
}

/// `quaero` running in the background, its output going to a file.
final class BackgroundQuaero: BackgroundProcess, @unchecked Sendable {
    init(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws {
        let binary = try #require(QuaeroBinary.url, "build quaero first")
        try super.init(binary.path, arguments, in: directory, environment: environment)
    }
}

/// A child process running in the background, its output going to a file.
class BackgroundProcess: @unchecked Sendable {
    private let process = Process()
    private let outputURL: URL

    init(_ executable: String, _ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws {
        let binary = URL(fileURLWithPath: executable)
        outputURL = directory.appendingPathComponent(".background-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: outputURL)
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key == "PATH" || $0.key == "HOME" }
            .merging(environment) { $1 }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// What it printed so far.
    func output() -> String { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits (up to 30 s, without holding a thread) for the exit status.
    func terminate() async -> Int32 {
        process.terminate()
        let ended = await waitUntil(timeout: .seconds(30), pollEvery: .milliseconds(10)) { !process.isRunning }
        return ended ? process.terminationStatus : -1
    }

    /// SIGKILL, if still running.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
