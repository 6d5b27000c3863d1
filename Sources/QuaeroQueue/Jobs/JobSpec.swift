/// What `createJob` needs: the job's type and config, and how its message is queued.
public struct JobSpec: Sendable, Hashable {
    /// The job type (routes it to a handler).
    public var type: JobType
    /// The job's configuration, stored on the record and sent in the message's `config` field.
    public var config: [String: JSONValue]
    /// Extra top-level fields of the message (for example `url` and `depth` of a `crawler_url`).
    public var fields: [String: JSONValue]
    /// The parent job, if any: its counters follow this job's end.
    public var parentID: String?
    /// Higher runs first.
    public var priority: Int
    /// How long to wait before the first run.
    public var delay: Duration
    /// A dedup key: while a message with this key is queued, creating the same key again returns that job.
    public var key: String?
    /// Whether this job fails when any of its children failed (true by default).
    public var failOnChildFailure: Bool
    /// The id to use; a new time-ordered id when nil.
    public var id: String?

    /// Describes a job to create.
    public init(type: JobType, config: [String: JSONValue] = [:], fields: [String: JSONValue] = [:],
                parentID: String? = nil, priority: Int = 0, delay: Duration = .zero, key: String? = nil,
                failOnChildFailure: Bool = true, id: String? = nil) {
        self.type = type
        self.config = config
        self.fields = fields
        self.parentID = parentID
        self.priority = priority
        self.delay = delay
        self.key = key
        self.failOnChildFailure = failOnChildFailure
        self.id = id
    }
}

/// Which jobs `listJobs` returns, newest first.
public struct JobFilter: Sendable, Hashable {
    /// Only jobs with this status.
    public var status: JobStatus?
    /// Only jobs of this type.
    public var type: JobType?
    /// Only children of this job.
    public var parentID: String?
    /// At most this many (1...1000).
    public var limit: Int
    /// Skip this many.
    public var offset: Int

    /// Creates a filter; every criterion is optional.
    public init(status: JobStatus? = nil, type: JobType? = nil, parentID: String? = nil, limit: Int = 50, offset: Int = 0) {
        self.status = status
        self.type = type
        self.parentID = parentID
        self.limit = limit
        self.offset = offset
    }
}

/// The fields `updateJob` may change (status changes go through the engine: run, cancel, rerun).
public struct JobChanges: Sendable, Hashable {
    /// A new configuration.
    public var config: [String: JSONValue]?
    /// New progress counters.
    public var progress: JobProgress?
    /// A new progress message.
    public var message: String?
    /// A new result.
    public var result: JSONValue?

    /// Creates a change set; nil fields stay as they are.
    public init(config: [String: JSONValue]? = nil, progress: JobProgress? = nil, message: String? = nil, result: JSONValue? = nil) {
        self.config = config
        self.progress = progress
        self.message = message
        self.result = result
    }
}

/// Counts of one job type's records by status, and the average run time of those that ended.
public struct JobTypeStats: Sendable, Hashable {
    /// Jobs waiting for a worker.
    public var pending = 0
    /// Jobs running or waiting for their children.
    public var running = 0
    /// Jobs that completed.
    public var completed = 0
    /// Jobs that failed.
    public var failed = 0
    /// Jobs that were cancelled.
    public var cancelled = 0
    /// Mean time from the last start to the end of completed and failed jobs; nil when none ended.
    public var averageRunTime: Duration?

    /// Zero counts.
    public init() {}
}
