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
