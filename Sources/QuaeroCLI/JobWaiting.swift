import Foundation
import Quaero
import QuaeroQueue

extension QuaeroRuntime {
    /// Runs this process's workers and job log until job `id` has ended, calling `progress` with the job
    /// about twice a second, then stops them gracefully and returns the ended job.
    ///
    /// `--wait` works whether or not a `quaero worker` also runs: they share the queue.
    func runUntilEnded(_ id: String, progress: (Job) -> Void) async throws -> Job {
        try await jobManager.start()
        let logRun = Task { try await logService.run() }
        try await pool.start()
        do {
            while true {
                let job = try await jobManager.getJob(id)
                progress(job)
                if job.status.isTerminal {
                    await stopWaiting(logRun)
                    return job
                }
                try await Task.sleep(for: .milliseconds(500))
            }
        } catch {
            await stopWaiting(logRun)
            throw error
        }
    }

    private func stopWaiting(_ logRun: Task<Void, any Error>) async {
        await pool.stop()
        await logService.stop()
        _ = await logRun.result
        try? await contentJobs.shutdown()
    }
}

/// Prints a progress line over the previous one on a terminal, or a new line otherwise.
struct ProgressPrinter {
    private let terminal = isatty(STDOUT_FILENO) == 1
    private var last = ""

    mutating func show(_ line: String) {
        guard line != last else { return }
        last = line
        if terminal {
            print("\r\u{1B}[K" + line, terminator: "")
            StandardOutput.flush()
        } else {
            print(line)
        }
    }

    /// Ends the progress line.
    func finish() { if terminal && !last.isEmpty { print("") } }
}
