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
