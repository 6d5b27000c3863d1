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
    /// Its limit key (`host:example.com`): the limits of the longest matching `JobPolicies.limits` prefix
    /// apply to it, or `limit` when none matches.
    public var limitKey: String?
    /// The limits of `limitKey` when no rule of the manager's policies matches it.
    public var limit: FlowLimit?
    /// Makes it a unique job: while a job with the same unique key was created within the period (in one of
    /// the statuses named), creating it again returns that job.
    public var unique: UniqueJob?

    /// Describes a job to create.
    public init(type: JobType, config: [String: JSONValue] = [:], fields: [String: JSONValue] = [:],
                parentID: String? = nil, priority: Int = 0, delay: Duration = .zero, key: String? = nil,
                failOnChildFailure: Bool = true, id: String? = nil, limitKey: String? = nil, limit: FlowLimit? = nil,
                unique: UniqueJob? = nil) {
        self.type = type
        self.config = config
        self.fields = fields
        self.parentID = parentID
        self.priority = priority
        self.delay = delay
        self.key = key
        self.failOnChildFailure = failOnChildFailure
        self.id = id
        self.limitKey = limitKey
        self.limit = limit
        self.unique = unique
    }
}

/// A unique job's key and period (`unique_for`): a job with the same key created within the period, in one
/// of `statuses`, is returned instead of creating another.
public struct UniqueJob: Sendable, Hashable {
    /// The statuses that count by default: every status but the bad ends (a failed or cancelled job does not
    /// keep another from being created).
    public static let defaultStatuses: Set<JobStatus> = [.pending, .running, .completed]

    /// The unique key.
    public var key: String
    /// How long after its creation a job holds the key.
    public var period: Duration
    /// The statuses in which a job holds the key.
    public var statuses: Set<JobStatus>

    /// Creates the rule.
    public init(key: String, for period: Duration, statuses: Set<JobStatus> = defaultStatuses) {
        self.key = key
        self.period = period
        self.statuses = statuses
    }

    /// Checks the rule; throws `invalidArgument` naming what is wrong.
    func validate() throws {
        guard !key.isEmpty else { throw QuaeroError(.invalidArgument, "the unique key is empty; give a non-empty key") }
        guard period > .zero else {
            throw QuaeroError(.invalidArgument, "unique_for must be positive, got \(period); omit unique to allow duplicates")
        }
        guard !statuses.isEmpty else {
            throw QuaeroError(.invalidArgument, "a unique job needs at least one status in which the key is held")
        }
    }
}
