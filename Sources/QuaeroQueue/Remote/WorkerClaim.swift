/// What an HTTP worker asks for when it claims jobs (`POST /api/jobs/claim`).
public struct WorkerClaim: Sendable, Hashable {
    /// The job types it serves (it gets jobs of these only, and announces that it serves them).
    public let types: Set<JobType>
    /// At most this many jobs.
    public let limit: Int
    /// How long to wait for a job when none is ready (a long poll); zero answers at once.
    public let wait: Duration
    /// How long each job's lease lasts unless a heartbeat extends it.
    public let lease: Duration
    /// The worker's name, recorded on each job it starts and in its log.
    public let worker: String

    /// Creates a claim.
    ///
    /// - Throws: `invalidArgument` naming the value out of `WorkerProtocol`'s limits: no types or too many, a
    ///   bad type or worker name, a limit outside 1...`maxClaimLimit`, a negative wait or one over `maxWait`, a
    ///   lease outside `leaseRange`.
    public init(types: Set<JobType>, limit: Int = 1, wait: Duration = .zero, lease: Duration = WorkerProtocol.defaultLease,
                worker: String) throws {
        guard (1...WorkerProtocol.maxTypes).contains(types.count) else {
            throw QuaeroError(.invalidArgument, "types must name 1 to \(WorkerProtocol.maxTypes) job types, not \(types.count)")
        }
        for type in types.sorted(by: { $0.rawValue < $1.rawValue }) {
            try WorkerProtocol.validate(name: type.rawValue, as: "job type \"\(type.rawValue.prefix(WorkerProtocol.maxNameLength))\"")
        }
        try WorkerProtocol.validate(name: worker, as: "the worker name")
        guard (1...WorkerProtocol.maxClaimLimit).contains(limit) else {
            throw QuaeroError(.invalidArgument, "limit must be within 1...\(WorkerProtocol.maxClaimLimit), not \(limit)")
        }
        guard wait >= .zero, wait <= WorkerProtocol.maxWait else {
            throw QuaeroError(.invalidArgument, "wait must be within 0s...\(WorkerProtocol.maxWait.milliseconds / 1000)s, not \(wait.milliseconds) ms")
        }
        let range = WorkerProtocol.leaseRange
        guard range.contains(lease) else {
            throw QuaeroError(.invalidArgument, "lease must be within \(range.lowerBound.milliseconds / 1000)s...\(range.upperBound.milliseconds / 1000)s, not \(lease.milliseconds) ms")
        }
        self.types = types
        self.limit = limit
        self.wait = wait
        self.lease = lease
        self.worker = worker
    }
}

/// A job claimed by an HTTP worker, with the token that fences every call about it.
public struct LeasedJob: Sendable, Hashable {
    /// The job as its attempt started (`running`).
    public let job: Job
    /// The lease token of this attempt.
    public let lease: LeaseToken
    /// When the lease ends unless a heartbeat extends it (UTC milliseconds).
    public let leaseExpiresAt: Int64

    /// Creates the pair.
    public init(job: Job, lease: LeaseToken, leaseExpiresAt: Int64) {
        self.job = job
        self.lease = lease
        self.leaseExpiresAt = leaseExpiresAt
    }
}

/// What a heartbeat found: the lease extended, or the job cancelled meanwhile (its worker should stop).
public struct LeaseStatus: Sendable, Hashable {
    /// The job.
    public let jobID: String
    /// Its status (`running`, or `cancelled`).
    public let status: JobStatus
    /// Whether the job was cancelled: the worker should stop working on it (its lease ended with it).
    public var cancelled: Bool { status == .cancelled }
    /// When the extended lease ends (UTC milliseconds); nil when the job was cancelled.
    public let leaseExpiresAt: Int64?

    /// Creates the status.
    public init(jobID: String, status: JobStatus, leaseExpiresAt: Int64?) {
        self.jobID = jobID
        self.status = status
        self.leaseExpiresAt = leaseExpiresAt
    }
}

/// Progress a remote worker reports: the counters it gives replace the job's, the others stay.
public struct ProgressReport: Sendable, Hashable {
    /// Steps done.
    public var completed: Int?
    /// Steps in all.
    public var total: Int?
    /// Steps that failed.
    public var failed: Int?
    /// A progress message.
    public var message: String?

    /// Creates a report; nil fields leave the job's as they are.
    public init(completed: Int? = nil, total: Int? = nil, failed: Int? = nil, message: String? = nil) {
        self.completed = completed
        self.total = total
        self.failed = failed
        self.message = message
    }

    /// `progress` with the counters this report gives; nil when it gives none.
    func applied(to progress: JobProgress) -> JobProgress? {
        guard completed != nil || total != nil || failed != nil else { return nil }
        return JobProgress(total: total ?? progress.total, completed: completed ?? progress.completed,
                           failed: failed ?? progress.failed)
    }
}

/// When a job that an HTTP worker failed runs again.
public enum RetryPolicy: Sendable, Equatable {
    /// Never: the job can never succeed; it fails at once and its message is dead-lettered.
    case never
    /// After this delay (the worker's `retry_after`), unless max_receive is reached.
    case after(Duration)
    /// After the backoff of the job's attempt, unless max_receive is reached.
    case backoff(Backoff)
}

/// A remote (HTTP) worker as its announcements describe it: what the dashboard's workers list shows.
public struct RemoteWorker: Sendable, Hashable {
    /// Its name.
    public let name: String
    /// The job types it announced and still serves (empty once every announcement expired).
    public let types: [JobType]
    /// When it first announced a type it still serves, or any (UTC milliseconds).
    public let firstSeenAt: Int64
    /// Its last claim or heartbeat (UTC milliseconds).
    public let lastSeenAt: Int64
    /// When its last announcement ends unless renewed (UTC milliseconds).
    public let expiresAt: Int64
    /// Whether some announcement of it is live.
    public var isLive: Bool { !types.isEmpty }

    /// Groups announcement records by worker, as seen at `now` (UTC milliseconds), by name.
    public static func grouping(_ records: [RemoteWorkerRecord], at now: Int64) -> [RemoteWorker] {
        Dictionary(grouping: records, by: \.name).map { name, records in
            let live = records.filter { $0.expiresAt > now }
            let shown = live.isEmpty ? records : live
            return RemoteWorker(name: name, types: live.map(\.type).sorted { $0.rawValue < $1.rawValue },
                                firstSeenAt: shown.map(\.firstSeenAt).min() ?? 0, lastSeenAt: records.map(\.lastSeenAt).max() ?? 0,
                                expiresAt: records.map(\.expiresAt).max() ?? 0)
        }.sorted { $0.name < $1.name }
    }
}
