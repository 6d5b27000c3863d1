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
    /// Skip this many (the HTTP API's `offset`; pages that must stay fast at any depth use `after`).
    public var offset: Int
    /// Only jobs whose config, other fields (a page job's URL) or error contain these words: each must occur;
    /// a word ending in `*` matches as a prefix. With a search, jobs come in the order they were indexed
    /// (the order they were created in, newest first).
    public var search: String?
    /// Only jobs created at or after this time (UTC milliseconds, as the job's id records it).
    public var createdSince: Int64?
    /// Only jobs created before this time (UTC milliseconds, as the job's id records it).
    public var createdBefore: Int64?
    /// Keyset paging: only jobs that come after the job with this id in this listing (give the last id of the
    /// previous page). The cost of a page does not grow with how deep it is, unlike `offset`.
    public var after: String?

    /// The longest search accepted, in UTF-8 bytes.
    public static let maxSearchLength = 500

    /// Creates a filter; every criterion is optional.
    public init(status: JobStatus? = nil, type: JobType? = nil, parentID: String? = nil, limit: Int = 50, offset: Int = 0,
                search: String? = nil, createdSince: Int64? = nil, createdBefore: Int64? = nil, after: String? = nil) {
        self.status = status
        self.type = type
        self.parentID = parentID
        self.limit = limit
        self.offset = offset
        self.search = search
        self.createdSince = createdSince
        self.createdBefore = createdBefore
        self.after = after
    }

    /// The ids of the jobs created in `createdSince..<createdBefore`: a job's id begins with its creation
    /// time (see `JobMessage.newID`), so a store filters by time with its id index. Jobs whose ids match
    /// `lowest <= id < below` (either bound may be absent).
    public var idRange: (lowest: String?, below: String?) {
        (createdSince.map(JobID.lowerBound(millis:)), createdBefore.map(JobID.lowerBound(millis:)))
    }
}
