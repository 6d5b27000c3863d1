import Foundation

/// Progress of a job: its children (total, completed, failed), or what its handler reports.
public struct JobProgress: Sendable, Hashable, Codable {
    /// How many steps or children there are.
    public var total: Int
    /// How many completed.
    public var completed: Int
    /// How many failed (cancelled children count here too).
    public var failed: Int

    /// Creates a progress value.
    public init(total: Int = 0, completed: Int = 0, failed: Int = 0) {
        self.total = total
        self.completed = completed
        self.failed = failed
    }
}

/// A job record (a row of the `jobs` table).
public struct Job: Sendable, Hashable {
    /// The job's id (26 characters, time-ordered).
    public var id: String
    /// The parent job, if any.
    public var parentID: String?
    /// The job type, which routes it to a handler.
    public var type: JobType
    /// Where it is in its life.
    public var status: JobStatus
    /// Its configuration (a JSON object).
    public var config: [String: JSONValue]
    /// The other top-level fields of its message (for example `url` and `depth`).
    public var fields: [String: JSONValue]
    /// Its progress.
    public var progress: JobProgress
    /// The latest progress message.
    public var message: String?
    /// What its handler returned, if it completed with a result.
    public var result: JSONValue?
    /// The last error, if any.
    public var error: String?
    /// How many times a worker started it.
    public var attempts: Int
    /// Whether the job fails when any of its children failed (otherwise it completes regardless).
    public var failOnChildFailure: Bool
    /// When it was created (UTC milliseconds).
    public var createdAt: Int64
    /// When a worker last started it.
    public var startedAt: Int64?
    /// When it ended.
    public var finishedAt: Int64?
    /// When the record last changed.
    public var updatedAt: Int64
    /// The worker that started its latest attempt (a worker pool's or a remote worker's name), if recorded.
    public var worker: String?

    /// Creates a record (as a store reads it).
    public init(id: String, parentID: String?, type: JobType, status: JobStatus, config: [String: JSONValue],
                fields: [String: JSONValue], progress: JobProgress, message: String?, result: JSONValue?, error: String?,
                attempts: Int, failOnChildFailure: Bool, createdAt: Int64, startedAt: Int64?, finishedAt: Int64?,
                updatedAt: Int64, worker: String? = nil) {
        self.id = id
        self.parentID = parentID
        self.type = type
        self.status = status
        self.config = config
        self.fields = fields
        self.progress = progress
        self.message = message
        self.result = result
        self.error = error
        self.attempts = attempts
        self.failOnChildFailure = failOnChildFailure
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.updatedAt = updatedAt
        self.worker = worker
    }
}

extension Job {
    /// The queue message that runs this job.
    public var jobMessage: JobMessage {
        var all = fields
        all["config"] = .object(config)
        return JobMessage(id: id, type: type, parentID: parentID, fields: all)
    }
}

/// The JSON shape of DESIGN §9: snake_case keys and RFC 3339 times.
extension Job: Encodable {
    private enum Key: String, CodingKey {
        case id, parentID = "parent_id", type, status, config, fields, progress, message, result, error, attempts, worker
        case failOnChildFailure = "fail_on_child_failure"
        case createdAt = "created_at", startedAt = "started_at", finishedAt = "finished_at", updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(id, forKey: .id)
        try container.encode(parentID, forKey: .parentID)
        try container.encode(type, forKey: .type)
        try container.encode(status, forKey: .status)
        try container.encode(config, forKey: .config)
        try container.encode(fields, forKey: .fields)
        try container.encode(progress, forKey: .progress)
        try container.encode(message, forKey: .message)
        try container.encode(result, forKey: .result)
        try container.encode(error, forKey: .error)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(worker, forKey: .worker)
        try container.encode(failOnChildFailure, forKey: .failOnChildFailure)
        try container.encode(Self.rfc3339(createdAt), forKey: .createdAt)
        try container.encode(startedAt.map(Self.rfc3339), forKey: .startedAt)
        try container.encode(finishedAt.map(Self.rfc3339), forKey: .finishedAt)
        try container.encode(Self.rfc3339(updatedAt), forKey: .updatedAt)
    }

    /// UTC milliseconds as an RFC 3339 string with milliseconds.
    public static func rfc3339(_ millis: Int64) -> String { RFC3339.string(millis: millis) }
}

/// A job with its children, as `getJobWithChildren` returns it.
public struct JobWithChildren: Sendable, Hashable, Encodable {
    /// The job.
    public var job: Job
    /// Its direct children, oldest first.
    public var children: [Job]

    /// The job's JSON with a `children` array (the shape of `GET /api/jobs/{id}`).
    public func encode(to encoder: any Encoder) throws {
        try job.encode(to: encoder)
        var container = encoder.container(keyedBy: ChildrenKey.self)
        try container.encode(children, forKey: .children)
    }

    private enum ChildrenKey: String, CodingKey { case children }
}
