public import Logging
import Synchronization

/// Something that happened to a job, published in-process as it happens (never read back from the database).
public struct JobEvent: Sendable, Hashable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable {
        /// The record was created and its message queued.
        case created
        /// A worker started a handler for it.
        case started
        /// Its handler reported progress, or one of its children ended.
        case progress
        /// Its handler succeeded but children still run: it stays `running` until they end.
        case waitingForChildren = "waiting_for_children"
        /// It ended well.
        case completed
        /// It ended badly.
        case failed
        /// An attempt failed and the job goes back to the queue after a backoff.
        case retried
        /// Its handler snoozed: it goes back to the queue after a delay, the attempt not counted.
        case snoozed
        /// Its message was dead-lettered (max_receive reached, unknown type, bad body, or unrecoverable).
        case deadLettered = "dead_lettered"
        /// It was cancelled.
        case cancelled
        /// The worker pool running it died; it waits for another attempt (the message says whether the
        /// lost attempt counts toward max_receive).
        case workerLost = "worker_lost"
        /// Its dead-lettered message was put back in the queue: it runs again.
        case requeued
    }

    /// What happened.
    public var kind: Kind
    /// The job.
    public var jobID: String
    /// Its type.
    public var type: JobType
    /// Its parent, if any.
    public var parentID: String?
    /// Its status after the event.
    public var status: JobStatus
    /// Which attempt (1-based) the event belongs to; 0 when none started yet.
    public var attempt: Int
    /// Its progress, when the event changed it.
    public var progress: JobProgress?
    /// A progress message, or the error of a failure, retry or dead letter.
    public var message: String?
    /// When it happened (UTC milliseconds, of the engine's clock).
    public var at: Int64
    /// For a retry: how long until the next attempt.
    public var retryAfter: Duration?
    /// For a start by a remote worker: its name.
    public var worker: String?

    /// Creates an event.
    public init(kind: Kind, jobID: String, type: JobType, parentID: String? = nil, status: JobStatus, attempt: Int = 0,
                progress: JobProgress? = nil, message: String? = nil, at: Int64) {
        self.kind = kind
        self.jobID = jobID
        self.type = type
        self.parentID = parentID
        self.status = status
        self.attempt = attempt
        self.progress = progress
        self.message = message
        self.at = at
    }

    /// Whether the job ended with this event.
    public var isTerminal: Bool { kind == .completed || kind == .failed || kind == .cancelled }

    /// Whether the engine wrote this event's log line itself, in the transaction that made it (so a log sink
    /// must not write it again).
    public var isLoggedByEngine: Bool { kind == .workerLost }
}

/// Receives every job event synchronously; must return at once (for example by buffering, as the log
/// service does). Connect one with `JobManager.addSink`.
public protocol JobEventSink: Sendable {
    /// Records one event without blocking.
    func record(_ event: JobEvent)
}

/// Fans job events out to subscribers and sinks, in-process.
final class JobEventBus: Sendable {
    private let subscribers = Subscribers<JobEvent>()
    private let sinks = Mutex<[any JobEventSink]>([])

    /// A stream of every event published from now on (unbounded buffer: a slow reader delays nothing).
    func subscribe() -> AsyncStream<JobEvent> { subscribers.subscribe() }

    func addSink(_ sink: any JobEventSink) {
        sinks.withLock { $0.append(sink) }
    }

    /// Sinks record first: the line the log sink buffers for an event (a job's "completed") is then
    /// appended before any subscriber hears of the event, so a subscriber that flushes the log on a job's
    /// end finds that line too.
    func publish(_ event: JobEvent) {
        for sink in sinks.withLock({ $0 }) { sink.record(event) }
        subscribers.publish(event)
    }

    func publish(_ events: [JobEvent]) {
        for event in events { publish(event) }
    }
}

extension JobEvent {
    /// The line a job log records for this event (level and text), so that a log service can be a
    /// three-line `JobEventSink`.
    public var logLine: (level: Logger.Level, message: String) {
        let detail = message.map { ": \($0)" } ?? ""
        switch kind {
        case .created: return (.info, "job created (\(type))")
        case .started: return (.info, "attempt \(attempt) started" + (worker.map { " by worker \($0)" } ?? ""))
        case .progress:
            let counts = progress.map { " \($0.completed)/\($0.total) done, \($0.failed) failed" } ?? ""
            return (.debug, "progress\(counts)\(detail)")
        case .waitingForChildren: return (.info, "handler done; waiting for its children")
        case .completed: return (.info, "completed")
        case .failed: return (.error, "failed\(detail)")
        case .retried:
            let delay = retryAfter.map { " in \($0.milliseconds) ms" } ?? " after a backoff"
            return (.warning, "attempt \(attempt) failed; retrying\(delay)\(detail)")
        case .snoozed:
            let delay = retryAfter.map { " for \($0.milliseconds) ms" } ?? ""
            return (.info, "attempt \(attempt) snoozed\(delay); it does not count")
        case .deadLettered: return (.error, "dead-lettered after \(attempt) attempts\(detail)")
        case .cancelled: return (.warning, "cancelled")
        case .workerLost: return (.warning, "attempt \(attempt) lost\(detail)")
        case .requeued: return (.info, "requeued from the dead letters; it runs again")
        }
    }
}

extension JobEvent {
    /// The kind of the event whose log line (`logLine`) is `message`, nil for any other line: a job's timeline
    /// (attempts, retries with their delays, dead letters, ends) read back from its log.
    public static func kind(ofLogLine message: String) -> Kind? {
        switch message {
        case "completed": return .completed
        case "cancelled": return .cancelled
        case "failed": return .failed
        case "handler done; waiting for its children": return .waitingForChildren
        case "requeued from the dead letters; it runs again": return .requeued
        default: break
        }
        if message.hasPrefix("job created (") { return .created }
        if message.hasPrefix("failed: ") { return .failed }
        if message.hasPrefix("dead-lettered after ") { return .deadLettered }
        if message.hasPrefix("progress") { return .progress }
        guard message.hasPrefix("attempt ") else { return nil }
        if message.hasSuffix(" started") { return .started }
        if message.contains(" failed; retrying") { return .retried }
        if message.contains(" lost") { return .workerLost }
        return nil
    }
}
