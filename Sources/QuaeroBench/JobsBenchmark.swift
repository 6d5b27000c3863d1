public import Logging
import QuaeroQueue
public import QuaeroSQLite
import Synchronization

/// The figures of `benchJobs`.
public struct JobsBenchmarkResult: Sendable, Equatable {
    /// No-op jobs per second end to end: record created with its message, run by the pool, completed.
    public var jobsPerSecond: Double
    /// Median time from `createJob` to the handler starting, with an idle pool (milliseconds).
    public var enqueueToStartP50Ms: Double
    /// 99th percentile of the same (milliseconds).
    public var enqueueToStartP99Ms: Double
    /// Write transactions per job during the throughput run.
    public var commitsPerJob: Double = 0
    /// Write bodies per transaction during the throughput run (group commit at work).
    public var writesPerCommit: Double = 0
}

/// Measures the job engine on `store` (fresh, for comparable figures): `jobs` no-op jobs created by
/// `creators` concurrent callers and run by a `WorkerPool` with `concurrency` slots (DESIGN §10
/// `jobs_per_s`), then `samples` jobs created one at a time into the idle pool with a 1 s poll interval, timing
/// enqueue to handler start (`enqueue_to_start_ms_p50` / `_p99`: wake-ups, not the ticker).
///
/// - Parameters:
///   - queueName: the queue used; pick a new name per round when reusing a database.
///   - limitedKeys: when above 0, the throughput jobs spread over this many limit keys, each limited to 1 in
///     flight (issue 14: `jobs_per_s` with 1,000 keys each limited to 1).
public func benchJobs(store: SQLiteStore, jobs: Int = 10_000, samples: Int = 200, concurrency: Int = 5,
                      creators: Int = 8, queueName: String = "bench_jobs", limitedKeys: Int = 0,
                      logger: Logger = Logger(label: "quaero.bench")) async throws -> JobsBenchmarkResult {
    guard jobs >= 1, samples >= 1, creators >= 1 else {
        throw QuaeroError(.invalidArgument, "benchJobs needs jobs, samples and creators ≥ 1, got \(jobs), \(samples), \(creators)")
    }
    let keyLimit = try FlowLimit(maxInFlight: 1)
    let queue = try Queue(name: queueName, store: store, options: QueueOptions())
    let manager = JobManager(queue: queue, logger: logger)
    let pool = try WorkerPool(manager: manager, options: WorkerPoolOptions(concurrency: concurrency, pollInterval: .seconds(1)),
                              logger: logger)
    let completions = CompletionCounter(target: jobs)
    manager.addSink(completions)
    let current = Mutex<Signal<ContinuousClock.Instant>?>(nil)
    pool.register("bench_noop") { _ in nil }
    pool.register("bench_latency") { _ in
        current.withLock { $0 }?.fire(.now)
        return nil
    }
    try await pool.start()
    do {
        let before = store.database.writeStatistics
        let started = ContinuousClock.now
        try await withThrowingDiscardingTaskGroup { group in
            for creator in 0..<creators {
                let share = jobs / creators + (creator < jobs % creators ? 1 : 0)
                group.addTask {
                    for index in 0..<share {
                        var spec = JobSpec(type: "bench_noop")
                        if limitedKeys > 0 {
                            spec.limitKey = "bench:\((creator + index * creators) % limitedKeys)"
                            spec.limit = keyLimit
                        }
                        try await manager.createJob(spec)
                    }
                }
            }
        }
        _ = await completions.done.wait()
        let elapsed = ContinuousClock.now - started
        let after = store.database.writeStatistics
        let commits = Double(after.transactions - before.transactions)

        var latencies: [Double] = []
        for _ in 0..<samples {
            let signal = Signal<ContinuousClock.Instant>()
            current.withLock { $0 = signal }
            let enqueued = ContinuousClock.now
            try await manager.createJob(JobSpec(type: "bench_latency"))
            guard let start = await signal.wait() else { throw CancellationError() }
            latencies.append((start - enqueued).seconds * 1000)
        }
        await pool.stop()
        latencies.sort()
        return JobsBenchmarkResult(jobsPerSecond: Double(jobs) / elapsed.seconds,
                                   enqueueToStartP50Ms: percentile(latencies, 0.50),
                                   enqueueToStartP99Ms: percentile(latencies, 0.99),
                                   commitsPerJob: commits / Double(jobs),
                                   writesPerCommit: Double(after.writes - before.writes) / max(1, commits))
    } catch {
        await pool.stop()
        throw error
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

/// Counts `completed` events and fires once `target` jobs completed.
private final class CompletionCounter: JobEventSink {
    let target: Int
    let count = Atomic<Int>(0)
    let done = Signal<Bool>()

    init(target: Int) { self.target = target }

    func record(_ event: JobEvent) {
        guard event.kind == .completed, event.type == "bench_noop" else { return }
        if count.add(1, ordering: .relaxed).newValue == target { done.fire(true) }
    }
}
