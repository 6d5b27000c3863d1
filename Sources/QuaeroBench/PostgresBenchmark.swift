public import Foundation
import Logging
public import QuaeroPostgres
public import QuaeroQueue
import Synchronization

/// `quaero bench --db postgres://…`: Quaero's figures on PostgreSQL, each measurement in a fresh schema of the
/// given database (dropped after), as medians of several rounds. Compare with `../shared/bench/postgres/floor.sh`
/// run in the same session (pgbench: the same statements in C); the ratios are taken there, by hand.
///
/// `synchronous_commit` is set for the benchmark's connections (`off` for the main figures, as the floor's
/// `SYNC=off`); the `durable_*` figures run with it `on`.
public struct PostgresBenchmark: Sendable {
    /// How big and how long.
    public struct Options: Sendable {
        /// Operations per measurement.
        public var messages = 20_000
        /// Rounds; each figure is the median over them.
        public var rounds = 3
        /// Only these keys (all when empty).
        public var only: Set<String> = []
        /// The backlog run of `receive_delete_per_s_minute_10_over_1`, when set: its length (10 minutes for
        /// the figure; shorter runs compare their last minute with their first).
        public var soak: Duration?
        /// The `quaero` executable that runs the worker processes of `jobs_per_s`.
        public var executable: URL
        /// Worker processes for `jobs_per_s`.
        public var processes = 4

        /// Defaults: 20,000 messages, 3 rounds, no soak.
        public init(executable: URL) { self.executable = executable }
    }

    let url: String
    let options: Options

    /// A benchmark on the database at `url`.
    public init(url: String, options: Options) {
        self.url = url
        self.options = options
    }

    private static let body = Data("yy".utf8)

    /// Runs every selected measurement `rounds` times (the soak once) and returns the figures, in order.
    public func run(progress: (@Sendable (String) -> Void)? = nil) async throws -> [Benchmark.Figure] {
        let n = options.messages
        var extra: [String: [Double]] = [:]
        let measurements: [(String, () async throws -> Double)] = [
            ("send_per_s", { try await self.send(connections: 1, count: n) }),
            ("send_4_connections_per_s", { try await self.send(connections: 4, count: n) }),
            ("send_batch_per_s", { try await self.sendBatch(total: n * 10) }),
            ("receive_delete_per_s", { try await self.receiveDelete(workers: 1, batch: 1, count: n) }),
            ("receive_delete_4_workers_per_s", { try await self.receiveDelete(workers: 4, batch: 1, count: n) }),
            ("receive_delete_batch_10_4_workers_per_s", { try await self.receiveDelete(workers: 4, batch: 10, count: n * 5) }),
            ("lifecycle_1_worker_per_s", { try await self.lifecycle(workers: 1, count: n) }),
            ("lifecycle_4_workers_per_s", { try await self.lifecycle(workers: 4, count: n) }),
            ("lifecycle_16_workers_per_s", { try await self.lifecycle(workers: 16, count: n) }),
            ("jobs_per_s", {
                let result = try await self.jobs(count: max(10_000, n))
                extra["enqueue_to_start_ms_p50", default: []].append(result.p50)
                extra["enqueue_to_start_ms_p99", default: []].append(result.p99)
                return result.perSecond
            }),
            ("log_entries_per_s", {
                let (rate, reduction) = try await self.withSchema { store in
                    try await benchLogs(store: store, entries: max(100_000, n * 10), writers: 8)
                }
                extra["log_write_reduction", default: []].append(reduction)
                return rate
            }),
            ("durable_send_16_connections_per_s", {
                let quiet = try await self.send(connections: 16, count: n / 2, durable: true, notify: false)
                let notifying = try await self.send(connections: 16, count: n / 2, durable: true, notify: true)
                extra["durable_send_16_connections_notify_over_none", default: []].append(notifying / quiet)
                return quiet
            }),
        ]
        var samples: [String: [Double]] = [:]
        let selected = measurements.filter { options.only.isEmpty || options.only.contains($0.0) }
        for round in 1...options.rounds {
            for (key, measure) in selected {
                progress?("round \(round)/\(options.rounds): \(key)")
                samples[key, default: []].append(try await measure())
            }
        }
        var figures = selected.map { Benchmark.Figure(key: $0.0, value: Benchmark.median(samples[$0.0]!)) }
        if let soak = options.soak, options.only.isEmpty || options.only.contains("receive_delete_per_s_minute_10_over_1") {
            progress?("soak: \(soak)")
            let (first, last) = try await self.soak(for: soak)
            figures.append(Benchmark.Figure(key: "receive_delete_per_s_minute_1", value: first))
            figures.append(Benchmark.Figure(key: "receive_delete_per_s_last_minute", value: last))
            figures.append(Benchmark.Figure(key: "receive_delete_per_s_minute_10_over_1", value: last / first))
        }
        for (key, values) in extra.sorted(by: { $0.key < $1.key }) {
            figures.append(Benchmark.Figure(key: key, value: Benchmark.median(values)))
        }
        return figures
    }

    // MARK: Schemas

    /// The URL of `schema`, with `synchronous_commit` set for every connection.
    func url(schema: String, durable: Bool) -> String {
        url + (url.contains("?") ? "&" : "?")
            + "options=-c%20search_path%3D\(schema)%20-c%20synchronous_commit%3D\(durable ? "on" : "off")"
    }

    /// Runs `body` with a store on a fresh schema (dropped after), its pool as large as the measurement needs.
    func withSchema<T>(durable: Bool = false, pool: Int = 8, pollOnly: Bool = false,
                       _ body: (PostgresStore, String) async throws -> T) async throws -> T {
        let schema = "bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        let admin = try await PostgresStore.open(url, options: PostgresStoreOptions(pollOnly: true))
        try await admin.transaction { tx in _ = try await tx.query("CREATE SCHEMA \(schema)", []) }
        var settings = PostgresStoreOptions(poolSize: pool)
        settings.pollOnly = pollOnly
        let schemaURL = url(schema: String(schema), durable: durable)
        do {
            let store = try await PostgresStore.open(schemaURL, options: settings)
            let result: T
            do {
                result = try await body(store, schemaURL)
            } catch {
                await store.close()
                throw error
            }
            await store.close()
            try await admin.transaction { tx in _ = try await tx.query("DROP SCHEMA \(schema) CASCADE", []) }
            await admin.close()
            return result
        } catch {
            _ = try? await admin.transaction { tx in _ = try await tx.query("DROP SCHEMA \(schema) CASCADE", []) }
            await admin.close()
            throw error
        }
    }

    func withSchema<T>(_ body: (PostgresStore) async throws -> T) async throws -> T {
        try await withSchema { store, _ in try await body(store) }
    }

    /// Runs `body` on `workers` concurrent tasks.
    private func concurrently(_ workers: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for worker in 0..<workers { group.addTask { try await body(worker) } }
        }
    }

    /// Sends `count` messages ready at once, 1000 a transaction, untimed.
    private func fill(_ queue: Queue, _ count: Int) async throws {
        var left = count
        while left > 0 {
            let n = min(1000, left)
            _ = try await queue.send(batch: Array(repeating: OutgoingMessage(body: Self.body), count: n))
            left -= n
        }
    }

    // MARK: Measurements

    /// One message a transaction, by `connections` concurrent senders.
    func send(connections: Int, count: Int, durable: Bool = false, notify: Bool = true) async throws -> Double {
        try await withSchema(durable: durable, pool: connections, pollOnly: !notify) { store, _ in
            let queue = try Queue(name: "bench", store: store)
            let share = count / connections
            return try await timed(share * connections) {
                try await concurrently(connections) { _ in
                    for _ in 0..<share { _ = try await queue.send(Self.body) }
                }
            }
        }
    }

    /// 1000 messages a transaction.
    func sendBatch(total: Int) async throws -> Double {
        try await withSchema { store in
            let queue = try Queue(name: "bench", store: store)
            return try await timed(total) { try await fill(queue, total) }
        }
    }

    /// `count` ready messages (sent untimed) claimed `batch` at a time by `workers` and deleted (a batch in one
    /// statement).
    func receiveDelete(workers: Int, batch: Int, count: Int) async throws -> Double {
        try await withSchema(pool: max(workers, 2)) { store in
            let queue = try Queue(name: "bench", store: store)
            try await fill(queue, count)
            let share = count / workers
            return try await timed(share * workers) {
                try await concurrently(workers) { _ in
                    var done = 0
                    while done < share {
                        let got = try await queue.receive(limit: min(batch, share - done))
                        guard !got.isEmpty else { throw QuaeroError(.notFound, "benchmark: the queue ran dry") }
                        if got.count == 1 {
                            try await queue.delete(got[0].receipt)
                        } else {
                            _ = try await store.write { tx in try await tx.delete(got.map(\.receipt)) }
                        }
                        done += got.count
                    }
                }
            }
        }
    }

    /// Send, receive, delete by `workers` concurrent tasks sharing `count` cycles.
    func lifecycle(workers: Int, count: Int) async throws -> Double {
        try await withSchema(pool: max(workers, 2)) { store in
            let queue = try Queue(name: "bench", store: store)
            let share = count / workers
            return try await timed(share * workers) {
                try await concurrently(workers) { _ in
                    var done = 0
                    while done < share {
                        _ = try await queue.send(Self.body)
                        // Another worker may have taken the message just sent; then take the next one.
                        if let message = try await queue.receive().first {
                            try await queue.delete(message.receipt)
                            done += 1
                        }
                    }
                }
            }
        }
    }

    /// Receive+delete from a backlog for `duration`, one worker, the backlog topped up by a sender; returns
    /// the rate of the first minute and of the last. The store's maintenance (`VACUUM`) runs every 5 s, as
    /// the leader runs it.
    func soak(for duration: Duration) async throws -> (first: Double, last: Double) {
        try await withSchema(pool: 4) { store in
            let queue = try Queue(name: "bench", store: store)
            try await fill(queue, 600_000)
            let done = Atomic<Int>(0)
            let stop = Atomic<Bool>(false)
            var minutes: [Double] = []
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !stop.load(ordering: .relaxed) {
                        guard let message = try await queue.receive().first else { continue }
                        try await queue.delete(message.receipt)
                        done.add(1, ordering: .relaxed)
                    }
                }
                group.addTask {
                    while !stop.load(ordering: .relaxed) {
                        try await Task.sleep(for: .seconds(5))
                        try await store.maintain()
                    }
                }
                let window = min(Duration.seconds(60), duration)
                var elapsed = Duration.zero
                while elapsed < duration {
                    let before = done.load(ordering: .relaxed)
                    try await Task.sleep(for: window)
                    elapsed += window
                    minutes.append(Double(done.load(ordering: .relaxed) - before) / window.seconds)
                }
                stop.store(true, ordering: .relaxed)
                try await group.waitForAll()
            }
            return (minutes.first ?? 0, minutes.last ?? 0)
        }
    }

    // MARK: Jobs in several processes

    /// `count` no-op jobs created by 8 callers in this process and run by `processes` worker processes
    /// (WorkerPool + JobManager, 8 slots each); then 200 jobs created one at a time, 110 ms apart (past the
    /// 100 ms notification window), timing enqueue to the handler's start in the other process.
    func jobs(count: Int) async throws -> (perSecond: Double, p50: Double, p99: Double) {
        try await withSchema(pool: 8) { store, schemaURL in
            let queue = try Queue(name: PostgresBenchmark.jobsQueue, store: store)
            let manager = JobManager(queue: queue, logger: Logger(label: "quaero.bench"))
            let workers = try (0..<options.processes).map { _ in
                let process = Process()
                process.executableURL = options.executable
                process.arguments = ["bench", "--worker-process", schemaURL]
                process.standardInput = FileHandle.nullDevice
                process.standardOutput = FileHandle.nullDevice
                try process.run()
                return process
            }
            defer { for process in workers where process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            let deadline = ContinuousClock.now + .seconds(30)
            while try await manager.workerPools().count < workers.count {
                guard ContinuousClock.now < deadline else { throw QuaeroError(.unavailable, "benchmark: the worker processes did not start") }
                try await Task.sleep(for: .milliseconds(50))
            }
            let started = ContinuousClock.now
            try await concurrently(8) { creator in
                let share = count / 8 + (creator < count % 8 ? 1 : 0)
                var left = share
                while left > 0 {
                    let n = min(10, left)
                    _ = try await manager.createJobs((0..<n).map { _ in JobSpec(type: "bench_noop") })
                    left -= n
                }
            }
            while try await completed(store) < count { try await Task.sleep(for: .milliseconds(20)) }
            let rate = Double(count) / (ContinuousClock.now - started).seconds

            var latencies: [Double] = []
            for _ in 0..<200 {
                try await Task.sleep(for: .milliseconds(110))
                let enqueued = SystemClock().nowMicros
                let job = try await manager.createJob(JobSpec(type: "bench_latency"))
                var result: JSONValue?
                while result == nil {
                    result = try await manager.getJob(job.id).result
                    if result == nil { try await Task.sleep(for: .milliseconds(1)) }
                }
                guard let startedAt = result?["started_us"]?.intValue else {
                    throw QuaeroError(.decoding, "benchmark: a latency job's result has no started_us: \(String(describing: result))")
                }
                latencies.append(Double(startedAt - enqueued) / 1000)
            }
            latencies.sort()
            return (rate, percentile(latencies, 0.50), percentile(latencies, 0.99))
        }
    }

    private func completed(_ store: PostgresStore) async throws -> Int {
        try await store.read { reader in
            try await (reader as! PostgresTransaction).query("SELECT count(*) FROM jobs WHERE status = 'completed'", []).first?.int(0) ?? 0
        }
    }

    static let jobsQueue = "bench_jobs"

    /// A worker process of `jobs_per_s` (`quaero bench --worker-process URL`): a WorkerPool with the no-op types,
    /// until killed.
    public static func runWorkerProcess(url: String) async throws {
        let store = try await PostgresStore.open(url)
        let queue = try Queue(name: jobsQueue, store: store)
        let manager = JobManager(queue: queue, logger: Logger(label: "quaero.bench"))
        let pool = try WorkerPool(manager: manager, options: WorkerPoolOptions(concurrency: 8, pollInterval: .seconds(1)))
        pool.register("bench_noop") { _ in nil }
        pool.register("bench_latency") { _ in .object(["started_us": .number(Double(SystemClock().nowMicros))]) }
        try await pool.start()
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}

extension SystemClock {
    /// Now, in UTC microseconds (the latency of `jobs_per_s` compares two processes' readings).
    var nowMicros: Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }
}
