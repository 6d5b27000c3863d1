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
