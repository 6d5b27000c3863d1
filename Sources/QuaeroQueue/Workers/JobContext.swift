public import Logging

/// What a handler does with a job: returns its result (stored on the record), or throws to fail the attempt
/// (`UnrecoverableJobError` to dead-letter it at once).
public typealias JobHandler = @Sendable (JobContext) async throws -> JSONValue?

/// What a handler gets: the job, its config, progress reporting, child creation, a logger and cancellation.
public struct JobContext: Sendable {
    /// The job record as it was when this attempt started.
    public let job: Job
    /// The pool's logger, without the job's metadata.
    let baseLogger: Logger
    /// The manager, for anything beyond what the context offers.
    public let manager: JobManager
    /// Where the job's own log lines go, besides swift-log (when the pool was given one).
    var logService: LogService? = nil

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
    /// The database, for the handler's own reads and writes.
    public var database: Database { manager.database }
    /// Whether the attempt was told to stop (cancel, lost lease, run timeout or shutdown).
    public var isCancelled: Bool { Task.isCancelled }

    /// Throws `CancellationError` when the attempt was told to stop.
    public func checkCancellation() throws { try Task.checkCancellation() }

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

    /// Creates a child of this job inside a transaction the handler opened with `write`, so that it commits
    /// together with the handler's own rows.
    @discardableResult
    public func createChild(_ spec: JobSpec, in connection: Connection) throws -> Job {
        try manager.createJob(child(spec), in: connection)
    }

    /// Runs `body` in one write transaction (for the handler's own rows, and children created with
    /// `createChild(_:in:)`).
    public func write<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await database.write(body)
    }

    private func child(_ spec: JobSpec) -> JobSpec {
        var spec = spec
        spec.parentID = job.id
        return spec
    }
}
