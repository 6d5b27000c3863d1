/// A job that ended `failed` or `cancelled`, thrown by `JobHandle.result()`.
public struct JobFailedError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The job.
    public let jobID: String
    /// How it ended: `.failed` or `.cancelled`.
    public let status: JobStatus
    /// Its recorded error.
    public let error: String?

    public var description: String {
        "job \(jobID) ended \(status)" + (error.map { ": \($0)" } ?? "")
    }
}

/// Thrown by a handler for a failure that no retry can fix: the message is dead-lettered at once and the
/// job marked failed, without using up the remaining attempts.
public struct UnrecoverableJobError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why the job can never succeed.
    public let reason: String

    /// Creates the error.
    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

/// Thrown by a handler to snooze its job: it goes back to the queue and runs again after `delay`, and the
/// attempt does not count (toward max_receive, nor in the job's attempts). See `JobContext.snooze(for:)`.
public struct JobSnooze: Error, Sendable, Equatable, CustomStringConvertible {
    /// How long until the job runs again.
    public let delay: Duration

    /// Creates the snooze.
    public init(for delay: Duration) { self.delay = max(.zero, delay) }

    public var description: String { "snoozed for \(delay)" }
}
