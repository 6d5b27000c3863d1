import Foundation
import Logging
import QuaeroPostgres
import QuaeroQueue

/// `jobs_per_s` on PostgreSQL: no-op jobs run by `quaero worker`-like processes (a WorkerPool over a JobManager
/// each), created in this one, and the enqueue-to-start latency across processes.
extension PostgresBenchmark {
    /// The worker processes' URL (not an argument: a password in it would show in `ps`).
    public static let workerURLVariable = "QUAERO_BENCH_WORKER_URL"
    static let jobsQueue = "bench_jobs"

    /// `count` no-op jobs created by 8 callers in this process, 10 a transaction, and run by `processes` worker
    /// processes (8 slots each); the rate is from the first creation to the last completion. Then `samples`
    /// jobs created one at a time into the idle pools, 110 ms apart (past the 100 ms notification window), each
    /// timed from before `createJob` to its handler's start in another process (both read CLOCK_REALTIME).
    ///
    /// - Parameter limitedKeys: above 0, the jobs spread over this many limit keys, each limited to 1 in flight.
    func jobs(count: Int, samples: Int, limitedKeys: Int = 0) async throws -> (perSecond: Double, p50: Double, p99: Double) {
        try await withStore(pool: 8) { store, schemaURL in
            let queue = try Queue(name: Self.jobsQueue, store: store)
            let manager = JobManager(queue: queue, logger: Self.logger)
            let workers = try WorkerProcesses(executable: options.executable, count: options.processes, url: schemaURL)
            defer { workers.stop() }
            let deadline = ContinuousClock.now + .seconds(30)
            while try await manager.workerPools().count < options.processes {
                guard ContinuousClock.now < deadline, workers.allRunning else {
                    throw QuaeroError(.unavailable, "benchmark: the \(options.processes) worker processes did not start within 30 s")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            try await PostgresScratch.settle(url: schemaURL)
            let limit = try FlowLimit(maxInFlight: 1)
            let started = ContinuousClock.now
            try await concurrently(8, on: store) { creator in
                var index = creator
                while index < count {
                    let specs = stride(from: index, to: min(count, index + 80), by: 8).map { i in
                        limitedKeys > 0 ? JobSpec(type: "bench_noop", limitKey: "bench:\(i % limitedKeys)", limit: limit) : JobSpec(type: "bench_noop")
                    }
                    _ = try await manager.createJobs(specs)
                    index += 80
                }
            }
            while try await manager.stats()[JobType("bench_noop")]?.completed ?? 0 < count {
                guard workers.allRunning else { throw QuaeroError(.unavailable, "benchmark: a worker process ended") }
                try await Task.sleep(for: .milliseconds(20))
            }
            let rate = Double(count) / (ContinuousClock.now - started).seconds
            guard samples > 0 else { return (rate, 0, 0) }

            var enqueued: [String: Int64] = [:]
            for _ in 0..<samples {
                try await Task.sleep(for: .milliseconds(110))
                let at = realTimeMicros()
                enqueued[try await manager.createJob(JobSpec(type: "bench_latency")).id] = at
            }
            var latencies: [Double] = []
            for (id, at) in enqueued {
                var job = try await manager.getJob(id)
                while job.result == nil {
                    guard workers.allRunning else { throw QuaeroError(.unavailable, "benchmark: a worker process ended") }
                    try await Task.sleep(for: .milliseconds(20))
                    job = try await manager.getJob(id)
                }
                guard let start = job.result?["started_us"]?.intValue else {
                    throw QuaeroError(.decoding, "benchmark: a latency job's result has no started_us: \(String(describing: job.result))")
                }
                latencies.append(Double(Int64(start) - at) / 1000)
            }
            latencies.sort()
            return (rate, percentile(latencies, 0.50), percentile(latencies, 0.99))
        }
    }

    /// A worker process of `jobs_per_s` (`quaero bench --worker-process`, the URL in `workerURLVariable`): a
    /// WorkerPool with 8 slots and the benchmark's job types, until its standard input closes (the benchmark
    /// ended, or died).
    public static func runWorkerProcess() async throws {
        guard let url = ProcessInfo.processInfo.environment[workerURLVariable] else {
            throw QuaeroError(.invalidArgument, "a benchmark worker process needs \(workerURLVariable)")
        }
        let logger = Self.logger
        let store = try await PostgresStore.open(url, logger: logger)
        let queue = try Queue(name: jobsQueue, store: store)
        let manager = JobManager(queue: queue, logger: logger)
        let pool = try WorkerPool(manager: manager, options: WorkerPoolOptions(concurrency: 8, pollInterval: .seconds(1)), logger: logger)
        pool.register("bench_noop") { _ in nil }
        pool.register("bench_latency") { _ in .object(["started_us": .number(Double(realTimeMicros()))]) }
        try await pool.start()
        let ended = Thread {
            _ = FileHandle.standardInput.readDataToEndOfFile()
            exit(0)
        }
        ended.start()
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}

/// Now in UTC microseconds: the latency compares two processes' readings.
func realTimeMicros() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
}

/// The benchmark's worker processes; each ends when its standard input (a pipe from here) closes.
final class WorkerProcesses {
    private let processes: [Process]
    private let inputs: [Pipe]

    init(executable: URL, count: Int, url: String) throws {
        var environment = ProcessInfo.processInfo.environment
        environment[PostgresBenchmark.workerURLVariable] = url
        var processes: [Process] = []
        var inputs: [Pipe] = []
        for _ in 0..<count {
            let process = Process()
            let input = Pipe()
            process.executableURL = executable
            process.arguments = ["bench", "--worker-process"]
            process.environment = environment
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            do {
                try process.run()
            } catch {
                for pipe in inputs { try? pipe.fileHandleForWriting.close() }
                throw QuaeroError(.unavailable, "benchmark: could not start \(executable.path) as a worker process: \(error)")
            }
            processes.append(process)
            inputs.append(input)
        }
        self.processes = processes
        self.inputs = inputs
    }

    /// Whether every process still runs.
    var allRunning: Bool { processes.allSatisfy(\.isRunning) }

    /// Closes their inputs (each exits) and waits for them.
    func stop() {
        for pipe in inputs { try? pipe.fileHandleForWriting.close() }
        for process in processes { process.waitUntilExit() }
    }
}
