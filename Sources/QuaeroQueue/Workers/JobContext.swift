public import Logging
import Synchronization

/// What a handler does with a job: returns its result (stored on the record), or throws to fail the attempt
/// (`UnrecoverableJobError` to dead-letter it at once).
public typealias JobHandler = @Sendable (JobContext) async throws -> JSONValue?

/// What a handler gets: the job, its config, progress reporting, child creation, a logger, cancellation, and
/// writes that commit together with the job's success.
public struct JobContext: Sendable {
    /// The job record as it was when this attempt started.
    public let job: Job
    /// The pool's logger, without the job's metadata.
    let baseLogger: Logger
    /// The manager, for anything beyond what the context offers.
    public let manager: JobManager
    /// Where the job's own log lines go, besides swift-log (when the pool was given one).
    var logService: LogService? = nil
    private let effects = SuccessEffects()

    init(job: Job, baseLogger: Logger, manager: JobManager, logService: LogService?) {
        self.job = job
        self.baseLogger = baseLogger
        self.manager = manager
        self.logService = logService
    }

    /// A logger with the job's id, type and attempt as metadata (made on use: most handlers of a busy pool
    /// never log, and a log handler may render metadata whenever it changes).
    public var logger: Logger {
        var logger = logService.map { $0.logger(forJob: job.id, passingTo: baseLogger) } ?? baseLogger
        logger.handler.metadata.merge(["job": "\(job.id)", "type": "\(job.type)", "attempt": "\(job.attempts)"]) { $1 }
        return logger
    }

    /// The job's configuration.
    public var config: [String: JSONValue] { job.config }
    /// The message that runs the job (id, type, parent and fields).
    public var message: JobMessage { job.jobMessage }
    /// This attempt's number, from 1.
    public var attempt: Int { job.attempts }
    /// The store, for the handler's own reads and writes.
    public var store: any QuaeroStore { manager.store }
    /// Whether the attempt was told to stop (cancel, lost lease, run timeout or shutdown).
    public var isCancelled: Bool { Task.isCancelled }

    /// Throws `CancellationError` when the attempt was told to stop.
    public func checkCancellation() throws { try Task.checkCancellation() }

    /// Ends the attempt by snoozing: the job goes back to the queue and runs again after `delay`, and this
    /// attempt does not count (toward max_receive, nor in the job's attempts). Writes registered with
    /// `onSuccess` are dropped. Call it as `try context.snooze(for: .seconds(30))`.
    public func snooze(for delay: Duration) throws -> Never {
        throw JobSnooze(for: delay)
    }

    /// Ends the attempt by failing the job for good, without a retry: its message is dead-lettered with
    /// `reason` and the job marked failed. Call it as `try context.fail(reason)`.
    public func fail(_ reason: String) throws -> Never {
        throw UnrecoverableJobError(reason)
    }

    /// Records progress (and optionally a message) on the job and publishes it as a `progress` event.
    public func reportProgress(completed: Int, total: Int, failed: Int = 0, message: String? = nil) async throws {
        try await manager.updateJob(job.id, JobChanges(progress: JobProgress(total: total, completed: completed, failed: failed), message: message))
    }

    /// Records a progress message on the job.
    public func report(_ message: String) async throws {
        try await manager.updateJob(job.id, JobChanges(message: message))
    }

    /// Creates a child of this job (its parent id is set to this job) in its own transaction.
    @discardableResult
    public func createChild(_ spec: JobSpec) async throws -> Job {
        try await manager.createJob(child(spec))
    }

    /// Creates a child of this job inside a transaction the handler holds (its own `write`, or an `onSuccess`
    /// body), so that it commits together with the handler's own rows.
    @discardableResult
    public func createChild(_ spec: JobSpec, in tx: any StoreTransaction) async throws -> Job {
        try await manager.createJob(child(spec), in: tx)
    }

    /// Runs `body` in one write transaction of its own (for the handler's own rows, and children created with
    /// `createChild(_:in:)`).
    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) async throws -> T) async throws -> T {
        try await store.write(body)
    }

    /// Runs `body` in the transaction that records this job's success, after its message is deleted and
    /// before its record is completed: the handler's rows, its children and the ack commit together or not
    /// at all (a lost lease rolls them back). A non-nil value `body` returns becomes the job's result. A
    /// `body` that throws fails the attempt.
    public func onSuccess(_ body: @escaping SuccessEffect) {
        effects.append(body)
    }

    /// The bodies registered with `onSuccess`, in order.
    var successEffects: [SuccessEffect] { effects.all }

    private func child(_ spec: JobSpec) -> JobSpec {
        var spec = spec
        spec.parentID = job.id
        return spec
    }
}

/// The `onSuccess` bodies of one attempt.
private final class SuccessEffects: Sendable {
    private let bodies = Mutex<[SuccessEffect]>([])
    func append(_ body: @escaping SuccessEffect) { bodies.withLock { $0.append(body) } }
    var all: [SuccessEffect] { bodies.withLock { $0 } }
}
