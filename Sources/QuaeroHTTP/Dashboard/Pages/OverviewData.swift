import Quaero
import QuaeroQueue

/// What the overview shows, read in one consistent read of the store: counts by job status (from the
/// counters kept with each status change) and by queue state per type, the jobs that ended per minute in the
/// last hour, the worker pools with their slots in use, the HTTP workers that announced types, recent failures
/// and the database's size.
struct OverviewData: Sendable {
    var jobs: [JobType: JobTypeStats]
    var queue: QueueStats
    var minutes: [JobMinuteCounts]
    var pools: [WorkerPoolRecord]
    var leases: [Int64: Int]
    /// Workers outside the engine's processes (the HTTP worker protocol), live or recently gone.
    var remote: [RemoteWorker]
    var failures: [Job]
    var storageBytes: Int64?
    /// The store's time of the read.
    var now: Int64

    /// Failed jobs shown, newest first.
    static let failuresShown = 8

    static func load(_ runtime: QuaeroRuntime) async throws -> OverviewData {
        let queueName = runtime.queueManager.queue.name
        let now = runtime.store.clock.nowMillis()
        let lastMinute = now / 60_000
        return try await runtime.store.read { reader in
            OverviewData(
                jobs: try await reader.jobStats(),
                queue: try await reader.queueStats(queue: queueName),
                minutes: JobMinuteCounts.filled(try await reader.jobEndsPerMinute(since: lastMinute - 59),
                                                from: lastMinute - 59, through: lastMinute),
                pools: try await reader.workerPools(),
                leases: try await reader.leaseCounts(queue: queueName),
                remote: RemoteWorker.grouping(try await reader.remoteWorkers(), at: now),
                failures: try await reader.jobs(JobFilter(status: .failed, limit: failuresShown)),
                storageBytes: try await reader.storageSize(),
                now: now)
        }
    }
}
