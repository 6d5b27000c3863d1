import Dispatch
import Foundation
import QuaeroQueue

/// Waits out another connection's lock without holding a thread: retries an operation that answered busy,
/// pausing between tries (1 ms, doubling up to 50 ms), until the busy timeout has passed.
///
/// SQLite's own busy handler sleeps inside the call, on a Swift concurrency thread; this is used instead
/// wherever the caller is async (the writer's `BEGIN IMMEDIATE`, reads, checkpoints). Only the synchronous
/// open path (pragmas, migrations) uses SQLite's handler.
struct BusyWait: Sendable {
    /// How long to keep trying (`DatabaseOptions.busyTimeout`, the `database.busy_timeout` key of quaero).
    let timeout: Duration
    /// The database file, for the error.
    let path: String

    /// Runs `operation` until it does not answer busy; past the timeout throws `databaseBusy` saying that the
    /// database `what` (e.g. "stayed locked by another process").
    func run<T>(_ what: String, _ operation: () async throws -> T) async throws -> T {
        var tries = Tries(wait: self, what: what)
        while true {
            do {
                return try await operation()
            } catch let error as QuaeroError where error.code == .databaseBusy {
                await Self.pause(try tries.pause(after: error))
            }
        }
    }

    /// As `run`, pausing the calling thread between tries: for the synchronous open, where SQLite's own busy
    /// handler pauses it the same way, for a statement that SQLite answers busy without calling that handler.
    func runBlocking<T>(_ what: String, _ operation: () throws -> T) throws -> T {
        var tries = Tries(wait: self, what: what)
        while true {
            do {
                return try operation()
            } catch let error as QuaeroError where error.code == .databaseBusy {
                usleep(UInt32(try tries.pause(after: error).milliseconds * 1000))
            }
        }
    }

    /// The deadline and the growing pause of one `run`: 1 ms, doubling up to 50 ms.
    private struct Tries {
        let wait: BusyWait
        let what: String
        let deadline: ContinuousClock.Instant
        var next = Duration.milliseconds(1)

        init(wait: BusyWait, what: String) {
            (self.wait, self.what, deadline) = (wait, what, .now + wait.timeout)
        }

        /// The pause before the next try after a busy answer; past the deadline, the error that names the setting.
        mutating func pause(after error: QuaeroError) throws -> Duration {
            guard ContinuousClock.now < deadline else {
                throw QuaeroError(.databaseBusy, BusyWait.message(path: wait.path, what, wait.timeout), storeCode: error.storeCode)
            }
            defer { next = min(next * 2, .milliseconds(50)) }
            return next
        }
    }

    /// The error of a lock that outlasted the busy timeout: it names the setting that raises it.
    static func message(path: String, _ what: String, _ timeout: Duration) -> String {
        "the database \(path) \(what) for longer than the busy timeout (\(timeout), database.busy_timeout); "
            + "stop the other process or raise database.busy_timeout"
    }

    /// Sleeps without being cut short by cancellation: a writer owes its whole group the commit.
    private static func pause(_ duration: Duration) async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(duration.milliseconds))) { continuation.resume() }
        }
    }
}
