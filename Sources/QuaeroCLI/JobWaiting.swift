import Foundation
import Quaero
import QuaeroQueue

extension QuaeroRuntime {
    /// Runs this process's services (workers, job log, cleanup schedule) until job `id` has ended, calling
    /// `progress` with the job about twice a second, then stops them gracefully and returns the ended job.
    ///
    /// `--wait` works whether or not a `quaero worker` also runs: they share the queue.
    ///
    /// - Throws: `WaitInterrupted` when SIGINT or SIGTERM stopped the wait before the job ended (the services
    ///   then stopped gracefully: what ran was given back to the queue).
    func runUntilEnded(_ id: String, progress: @escaping @Sendable (Job) -> Void) async throws -> Job {
        let manager = jobManager
        do {
            try await run(logger: cliLogger) {
                while true {
                    let job = try await manager.getJob(id)
                    progress(job)
                    if job.status.isTerminal { return }
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
        } catch is CancellationError {
            throw WaitInterrupted(jobID: id)
        }
        return try await manager.getJob(id)
    }
}

/// A wait for a job cut short by SIGINT or SIGTERM: the job goes on in the next process that runs workers.
struct WaitInterrupted: Error {
    let jobID: String

    var message: String {
        "interrupted before job \(jobID) ended; what was running went back to the queue, and the job goes on "
            + "when `quaero worker` or `quaero serve` runs on this database"
    }
}

/// Prints a progress line over the previous one on a terminal, or a new line otherwise.
final class ProgressPrinter: @unchecked Sendable {
    // Invariant behind `@unchecked Sendable`: `show` and `finish` are called from one task at a time.
    private let terminal = isatty(STDOUT_FILENO) == 1
    private var last = ""

    func show(_ line: String) {
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
