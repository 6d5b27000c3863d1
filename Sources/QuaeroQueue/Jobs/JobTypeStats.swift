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

extension JobTypeStats {
    /// One row of a store's per-type statistics: how many jobs of `type` have `status`, and their mean run time
    /// in milliseconds (nil when none has one).
    public typealias Row = (type: JobType, status: String, count: Int, meanRunMillis: Double?)

    /// The statistics per type from a store's rows (one per type and status): the counts, and the mean run time
    /// of the completed and failed jobs, weighted by their counts.
    public static func tally(_ rows: [Row]) -> [JobType: JobTypeStats] {
        var stats: [JobType: JobTypeStats] = [:]
        var runTimes: [JobType: (total: Double, count: Int)] = [:]
        for row in rows {
            var entry = stats[row.type] ?? JobTypeStats()
            let status = JobStatus(rawValue: row.status)
            switch status {
            case .pending: entry.pending = row.count
            case .running: entry.running = row.count
            case .completed: entry.completed = row.count
            case .failed: entry.failed = row.count
            case .cancelled: entry.cancelled = row.count
            case nil: break
            }
            if let mean = row.meanRunMillis, status == .completed || status == .failed {
                runTimes[row.type, default: (0, 0)].total += mean * Double(row.count)
                runTimes[row.type, default: (0, 0)].count += row.count
            }
            stats[row.type] = entry
        }
        for (type, time) in runTimes where time.count > 0 {
            stats[type]?.averageRunTime = .milliseconds(time.total / Double(time.count))
        }
        return stats
    }
}
