public import Foundation
import Logging
import QuaeroPostgres
import QuaeroQueue
import Synchronization

/// `quaero bench --db postgres://…`: Quaero's figures on PostgreSQL and the floor's (pgbench running
/// ../shared/bench/postgres's scripts), interleaved in one run, each measurement in a fresh schema of the given
/// database (dropped after), as medians of several rounds; a ratio to the floor is the median of each round's
/// ratio of two neighbouring measurements, so that the drift of a shared machine hits both alike.
///
/// `synchronous_commit` is off for both sides' connections (the floor's `SYNC=off`); the `durable_*` figures run
/// with it on.
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
        /// the figure; a shorter run compares its last minute with its first, under a key that names that minute).
        public var soak: Duration?
        /// The `quaero` executable that runs the worker processes of `jobs_per_s`.
        public var executable: URL
        /// Worker processes for `jobs_per_s`.
        public var processes = 4
        /// The folder of the floor's scripts (../shared/bench/postgres); nil leaves the floor out.
        public var floor: URL?
        /// Seconds a floor cell runs.
        public var floorSeconds = 5

        /// Defaults: 20,000 messages, 3 rounds, no soak, no floor.
        public init(executable: URL) { self.executable = executable }
    }

    let url: String
    let options: Options

    /// A benchmark on the database at `url`.
    public init(url: String, options: Options) {
        self.url = url
        self.options = options
    }

    static let body = Data("yy".utf8)
    /// Warnings and errors only: the migrations of each fresh schema are not news.
    static let logger: Logger = {
        var logger = Logger(label: "quaero.bench")
        logger.logLevel = .warning
        return logger
    }()

    /// Runs every selected measurement `rounds` times (the soak once, at the end) and reports the figures,
    /// the ratios and what they were measured on. `progress` gets each measurement's value as it comes.
    public func run(progress: (@Sendable (String) -> Void)? = nil) async throws -> Benchmark.Report {
        let n = options.messages
        var facts: [(key: String, value: String)] = [
            ("store", "PostgreSQL \(try await serverVersion()) at \(try PostgresURL(url).description)"),
            ("settings", "synchronous_commit=off (durable_*: on), a pool of one connection per worker, fresh schema per measurement"),
        ]
        var floor: PostgresFloor?
        do {
            if let folder = options.floor {
                floor = try PostgresFloor(folder: folder, seconds: options.floorSeconds)
                facts.append(("floor", "pgbench \(floor!.pgbench.path) on \(folder.path), \(options.floorSeconds) s a cell"))
            } else {
                facts.append(("floor", "not measured (no --floor)"))
            }
        } catch {
            facts.append(("floor", "not measured: \(error)"))
        }
        let url = self.url
        func onFloor(_ key: String, _ mode: PostgresFloor.Mode, _ clients: Int, durable: Bool = false)
            -> (String, () async throws -> Double)? {
            floor.map { floor in (key, { try await floor.run(mode, clients: clients, url: url, durable: durable) }) }
        }
        var extra: [String: [Double]] = [:]
        // Each floor cell right before the figure it is the floor of.
        let measurements: [(String, () async throws -> Double)] = [
            onFloor("floor_send_per_s", .send, 1),
            ("send_per_s", { try await self.send(connections: 1, count: n) }),
            onFloor("floor_send_4_clients_per_s", .send, 4),
            ("send_4_connections_per_s", { try await self.send(connections: 4, count: n) }),
            ("send_batch_per_s", { try await self.sendBatch(total: n * 10) }),
            onFloor("floor_receive_delete_per_s", .receiveDelete, 1),
            ("receive_delete_per_s", { try await self.receiveDelete(workers: 1, batch: 1, count: n) }),
            ("receive_delete_per_s_with_100k_delayed", { try await self.receiveDelete(workers: 1, batch: 1, count: n, delayed: 100_000) }),
            onFloor("floor_receive_delete_4_clients_per_s", .receiveDelete, 4),
            ("receive_delete_4_workers_per_s", { try await self.receiveDelete(workers: 4, batch: 1, count: n) }),
            onFloor("floor_receive_delete_batch_10_4_clients_per_s", .receiveDeleteBatch10, 4),
            ("receive_delete_batch_10_4_workers_per_s", { try await self.receiveDelete(workers: 4, batch: 10, count: n * 5) }),
            onFloor("floor_cycle_per_s", .cycle, 1),
            ("lifecycle_1_worker_per_s", { try await self.lifecycle(workers: 1, count: n) }),
            onFloor("floor_cycle_4_clients_per_s", .cycle, 4),
            ("lifecycle_4_workers_per_s", { try await self.lifecycle(workers: 4, count: n) }),
            onFloor("floor_cycle_16_clients_per_s", .cycle, 16),
            ("lifecycle_16_workers_per_s", { try await self.lifecycle(workers: 16, count: n) }),
            ("jobs_per_s", {
                let result = try await self.jobs(count: max(10_000, n), samples: 200)
                extra["enqueue_to_start_ms_p50", default: []].append(result.p50)
                extra["enqueue_to_start_ms_p99", default: []].append(result.p99)
                return result.perSecond
            }),
            ("jobs_per_s_1000_keys_limited_1", { try await self.jobs(count: max(10_000, n), samples: 0, limitedKeys: 1000).perSecond }),
            ("log_entries_per_s", {
                let (rate, reduction) = try await self.withStore { store in
                    try await benchLogs(store: store, entries: max(100_000, n * 10), writers: 8)
                }
                extra["log_write_reduction", default: []].append(reduction)
                return rate
            }),
            onFloor("floor_durable_send_16_clients_per_s", .send, 16, durable: true),
            ("durable_send_16_connections_per_s", { try await self.send(connections: 16, count: n / 2, durable: true, notify: false) }),
            ("durable_send_16_connections_notify_per_s", { try await self.send(connections: 16, count: n / 2, durable: true, notify: true) }),
        ].compactMap { $0 }
        var samples: [String: [Double]] = [:]
        let selected = measurements.filter { options.only.isEmpty || options.only.contains($0.0) }
        let measure = Dictionary(uniqueKeysWithValues: selected)
        for round in 1...options.rounds {
            var runs: [String: [Double]] = [:]
            for key in Self.roundRuns(selected.map(\.0)) {
                let value = try await measure[key]!()
                runs[key, default: []].append(value)
                progress?("round \(round)/\(options.rounds): \(key) \(String(format: "%.1f", value))")
            }
            for (key, values) in runs { samples[key, default: []].append(values.reduce(0, +) / Double(values.count)) }
        }
        var figures = selected.map { Benchmark.Figure(key: $0.0, value: Benchmark.median(samples[$0.0]!)) }
        // Ratios of neighbours: each round's pair, then the median over the rounds.
        let ratios: [(String, String, String)] = [
            ("send_vs_floor", "send_per_s", "floor_send_per_s"),
            ("send_4_connections_vs_floor", "send_4_connections_per_s", "floor_send_4_clients_per_s"),
            ("receive_delete_vs_floor", "receive_delete_per_s", "floor_receive_delete_per_s"),
            ("receive_delete_100k_delayed_vs_empty", "receive_delete_per_s_with_100k_delayed", "receive_delete_per_s"),
            ("receive_delete_4_workers_vs_floor", "receive_delete_4_workers_per_s", "floor_receive_delete_4_clients_per_s"),
            ("receive_delete_batch_10_4_workers_vs_floor", "receive_delete_batch_10_4_workers_per_s", "floor_receive_delete_batch_10_4_clients_per_s"),
            ("lifecycle_1_worker_vs_floor_cycle", "lifecycle_1_worker_per_s", "floor_cycle_per_s"),
            ("lifecycle_4_workers_vs_floor_cycle", "lifecycle_4_workers_per_s", "floor_cycle_4_clients_per_s"),
            ("lifecycle_16_workers_vs_floor_cycle", "lifecycle_16_workers_per_s", "floor_cycle_16_clients_per_s"),
            ("lifecycle_4_vs_1_workers", "lifecycle_4_workers_per_s", "lifecycle_1_worker_per_s"),
            ("jobs_1000_keys_limited_vs_unlimited", "jobs_per_s_1000_keys_limited_1", "jobs_per_s"),
            ("durable_send_16_connections_vs_floor", "durable_send_16_connections_per_s", "floor_durable_send_16_clients_per_s"),
            ("durable_send_16_connections_notify_vs_none", "durable_send_16_connections_notify_per_s", "durable_send_16_connections_per_s"),
        ]
        for (key, numerator, denominator) in ratios {
            if let a = samples[numerator], let b = samples[denominator] {
                figures.append(Benchmark.Figure(key: key, value: Benchmark.median(zip(a, b).map { $0 / $1 })))
            }
        }
        for (key, values) in extra.sorted(by: { $0.key < $1.key }) {
            figures.append(Benchmark.Figure(key: key, value: Benchmark.median(values)))
        }
        if let soak = options.soak, options.only.isEmpty || options.only.contains("receive_delete_per_s_minute_10_over_1") {
            progress?("soak: \(soak)")
            let minutes = try await self.soak(for: soak)
            progress?("soak, receive+delete a minute: \(minutes.map { String(format: "%.0f", $0) }.joined(separator: ", "))")
            figures.append(Benchmark.Figure(key: "receive_delete_per_s_minute_1", value: minutes.first!))
            if minutes.count > 1 {
                figures.append(Benchmark.Figure(key: "receive_delete_per_s_minute_\(minutes.count)", value: minutes.last!))
                figures.append(Benchmark.Figure(key: "receive_delete_per_s_minute_\(minutes.count)_over_1", value: minutes.last! / minutes.first!))
            }
        }
        return Benchmark.Report(figures: figures, facts: facts, messages: n, rounds: options.rounds)
    }

    /// The runs of one round, in order: each key once, but the durable sends without and with notifications as
    /// A B B A, each counting the mean of its two runs, so that neither is always measured second: of two durable
    /// runs in a row the second was often the slower (with notifications over without, 1.01 for pairs in
    /// separate processes and alternating order, 0.85 and 0.97 for the same build always measuring them second,
    /// 2026-11-29).
    static func roundRuns(_ keys: [String]) -> [String] {
        let (none, notify) = ("durable_send_16_connections_per_s", "durable_send_16_connections_notify_per_s")
        guard keys.contains(none), keys.contains(notify) else { return keys }
        return keys.flatMap { $0 == none ? [none, notify, notify, none] : $0 == notify ? [] : [$0] }
    }

    private func serverVersion() async throws -> String {
        try await withStore { store in store.serverVersion }
    }

    // MARK: Schemas

    /// Runs `body` with a store on a fresh schema (dropped after) whose connections have `synchronous_commit`
    /// on when `durable`, its pool as large as the measurement needs; `body` gets the schema's URL too.
    func withStore<T>(durable: Bool = false, pool: Int = 8, pollOnly: Bool = false,
                      _ body: (PostgresStore, String) async throws -> T) async throws -> T {
        let schema = try await PostgresScratch.createSchema(url: url)
        do {
            let schemaURL = PostgresScratch.url(url, schema: schema, settings: [("synchronous_commit", durable ? "on" : "off")])
            let store = try await PostgresStore.open(schemaURL, options: PostgresStoreOptions(poolSize: pool, pollOnly: pollOnly),
                                                     logger: Self.logger)
            let result: T
            do {
                result = try await body(store, schemaURL)
            } catch {
                await store.close()
                throw error
            }
            await store.close()
            try await PostgresScratch.dropSchema(schema, url: url)
            return result
        } catch {
            try? await PostgresScratch.dropSchema(schema, url: url)
            throw error
        }
    }

    func withStore<T>(_ body: (PostgresStore) async throws -> T) async throws -> T {
        try await withStore { store, _ in try await body(store) }
    }

    /// Runs `body` on `workers` concurrent tasks, each next to one of `store`'s connections
    /// (`affinityExecutors`), as a worker pool runs its loops.
    func concurrently(_ workers: Int, on store: PostgresStore, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let executors = store.affinityExecutors(workers)
        try await withThrowingDiscardingTaskGroup { group in
            for worker in 0..<workers {
                group.addTask(executorPreference: executors.isEmpty ? nil : executors[worker % executors.count]) {
                    try await body(worker)
                }
            }
        }
    }

    /// Sends `count` messages (hidden for `delay`), 1000 a transaction.
    func fill(_ queue: Queue, _ count: Int, delay: Duration = .zero) async throws {
        var left = count
        while left > 0 {
            let n = min(1000, left)
            _ = try await queue.send(batch: Array(repeating: OutgoingMessage(body: Self.body, delay: delay), count: n))
            left -= n
        }
    }

    // MARK: The queue

    /// One message a transaction, by `connections` concurrent senders; `notify`: with the wake-ups of other
    /// processes (a LISTEN connection, and a NOTIFY at most every 100 ms), as a store runs by default.
    func send(connections: Int, count: Int, durable: Bool = false, notify: Bool = true) async throws -> Double {
        try await withStore(durable: durable, pool: connections, pollOnly: !notify) { store, schemaURL in
            let queue = try Queue(name: "bench", store: store)
            try await PostgresScratch.settle(url: schemaURL)
            let share = count / connections
            return try await timed(share * connections) {
                try await concurrently(connections, on: store) { _ in
                    for _ in 0..<share { _ = try await queue.send(Self.body) }
                }
            }
        }
    }

    /// 1000 messages a transaction.
    func sendBatch(total: Int) async throws -> Double {
        try await withStore { store, schemaURL in
            let queue = try Queue(name: "bench", store: store)
            try await PostgresScratch.settle(url: schemaURL)
            return try await timed(total) { try await fill(queue, total) }
        }
    }

    /// `count` ready messages (sent untimed, after `delayed` hidden for an hour) claimed `batch` at a time by
    /// `workers` and deleted, a batch in one statement.
    func receiveDelete(workers: Int, batch: Int, count: Int, delayed: Int = 0) async throws -> Double {
        try await withStore(pool: workers) { store, schemaURL in
            let queue = try Queue(name: "bench", store: store)
            try await fill(queue, delayed, delay: .seconds(3600))
            try await fill(queue, count)
            try await PostgresScratch.settle(url: schemaURL)
            let share = count / workers
            return try await timed(share * workers) {
                try await concurrently(workers, on: store) { _ in
                    var done = 0
                    while done < share {
                        let got = try await queue.receive(limit: min(batch, share - done))
                        guard !got.isEmpty else { throw QuaeroError(.notFound, "benchmark: the queue ran dry") }
                        if got.count == 1 {
                            try await queue.delete(got[0].receipt)
                        } else {
                            _ = try await store.delete(got.map(\.receipt))
                        }
                        done += got.count
                    }
                }
            }
        }
    }

    /// Send, receive, delete by `workers` concurrent tasks sharing `count` cycles.
    func lifecycle(workers: Int, count: Int) async throws -> Double {
        try await withStore(pool: workers) { store, schemaURL in
            let queue = try Queue(name: "bench", store: store)
            try await PostgresScratch.settle(url: schemaURL)
            let share = count / workers
            return try await timed(share * workers) {
                try await concurrently(workers, on: store) { _ in
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

    /// Receive+delete by one worker from a backlog of 600,000 ready messages (floor.sh's), kept at that size by
    /// a sender that puts back 1,000 for each 1,000 deleted, for `duration`; the store's maintenance (`VACUUM
    /// (SKIP_LOCKED)` of the hot tables) every 5 s, as the leader runs it. Returns the rate of each minute (of
    /// the whole run when it is shorter).
    func soak(for duration: Duration) async throws -> [Double] {
        try await withStore(pool: 4) { store, schemaURL in
            let queue = try Queue(name: "bench", store: store)
            try await fill(queue, 600_000)
            try await PostgresScratch.settle(url: schemaURL)
            let (done, stop) = (Counter(), Flag())
            var minutes: [Double] = []
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !stop.isSet {
                        guard let message = try await queue.receive().first else { throw QuaeroError(.notFound, "benchmark: the backlog ran dry") }
                        try await queue.delete(message.receipt)
                        done.add()
                    }
                }
                group.addTask {
                    var refilled = 0
                    while !stop.isSet {
                        if done.value - refilled >= 1000 {
                            try await fill(queue, 1000)
                            refilled += 1000
                        } else {
                            try await Task.sleep(for: .milliseconds(50))
                        }
                    }
                }
                group.addTask {
                    while !stop.isSet {
                        try await Task.sleep(for: .seconds(5))
                        try await store.maintain()
                    }
                }
                let window = min(Duration.seconds(60), duration)
                let end = ContinuousClock.now + duration
                while ContinuousClock.now < end {
                    let (before, started) = (done.value, ContinuousClock.now)
                    try await Task.sleep(until: started + window)
                    minutes.append(Double(done.value - before) / (ContinuousClock.now - started).seconds)
                }
                stop.set()
                try await group.waitForAll()
            }
            return minutes
        }
    }
}

/// A count that several tasks add to.
private final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func add() { count.add(1, ordering: .relaxed) }
}

/// A flag that one task sets and others read.
private final class Flag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
