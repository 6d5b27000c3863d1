import Foundation
import QuaeroQueue
public import QuaeroSQLite

/// `quaero bench`: Quaero's figures and the SQLite floor's, measured in the same run on fresh temporary
/// databases, each the median of several rounds.
public struct Benchmark: Sendable {
    /// How big and how long.
    public struct Options: Sendable {
        /// Operations per measurement (`--messages`).
        public var messages: Int = 20_000
        /// Rounds; each figure is the median over them.
        public var rounds: Int = 5
        /// Delayed messages for `receive_delete_per_s_with_100k_delayed`.
        public var delayedMessages: Int = 100_000
        /// Database settings.
        public var database = DatabaseOptions()
        /// When not empty, only the measurements with these keys run (for profiling one of them).
        public var only: Set<String> = []

        /// Defaults: 20,000 messages, 5 rounds.
        public init() {}
    }

    /// One figure: its key (DESIGN.md §10) and value.
    public struct Figure: Sendable {
        /// The JSON key.
        public let key: String
        /// The median over the rounds.
        public let value: Double

        /// A figure.
        public init(key: String, value: Double) {
            self.key = key
            self.value = value
        }

        /// A rate (printed without decimals), not a ratio of two (`…_vs_…`, `…_over_…`) or a duration.
        var isRate: Bool { key.contains("_per_s") && !key.contains("_vs_") && !key.contains("_over_") }
    }

    /// The results of a run.
    public struct Report: Sendable {
        /// The figures, in the order they are printed.
        public let figures: [Figure]
        /// What was measured on, as JSON string members in order: the store's version and its settings
        /// (`sqlite_version` and `pragmas` on SQLite).
        public let facts: [(key: String, value: String)]
        /// Operations per measurement.
        public let messages: Int
        /// Rounds per figure.
        public let rounds: Int

        /// A report of `figures`.
        public init(figures: [Figure], facts: [(key: String, value: String)], messages: Int, rounds: Int) {
            self.figures = figures
            self.facts = facts
            self.messages = messages
            self.rounds = rounds
        }

        /// The value of `key`, if measured.
        public subscript(key: String) -> Double? { figures.first { $0.key == key }?.value }
    }

    /// The options of this run.
    public let options: Options

    /// Creates a benchmark.
    public init(options: Options) { self.options = options }

    /// Runs every measurement `rounds` times, interleaving Quaero's and the floor's so that drift of a
    /// shared machine hits both alike.
    public func run(progress: (@Sendable (String) -> Void)? = nil) async throws -> Report {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quaero-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let n = options.messages
        let queueBench = QueueBenchmark(directory: directory, options: options.database, count: n)
        let floorPath = directory.appendingPathComponent("floor.db").path
        let settings = options.database
        func floor(_ mode: SQLiteFloor.Mode, _ count: Int) throws -> Double {
            var floor = try SQLiteFloor(path: floorPath, options: settings)
            defer { floor.close() }
            return try floor.run(mode, count: count)
        }

        // Figures measured alongside another (not a round of their own).
        var extra: [String: [Double]] = [:]
        let measurements: [(String, () async throws -> Double)] = [
            ("floor_send_per_s", { try floor(.send, n) }),
            ("send_per_s", { try await queueBench.send() }),
            ("floor_send_batch_per_s", { try floor(.sendBatch(1000), n * 10) }),
            ("send_batch_per_s", { try await queueBench.sendBatch(total: n * 10) }),
            ("floor_receive_delete_per_s", { try floor(.receiveDelete, n) }),
            ("receive_delete_per_s", { try await queueBench.receiveDelete() }),
            ("receive_delete_per_s_with_100k_delayed", { try await queueBench.receiveDelete(delayed: self.options.delayedMessages) }),
            ("floor_cycle_per_s", { try floor(.cycle, n) }),
            ("lifecycle_1_worker_per_s", { try await queueBench.lifecycle(workers: 1).perSecond }),
            ("lifecycle_4_workers_per_s", {
                let (rate, folded) = try await queueBench.lifecycle(workers: 4)
                extra["lifecycle_4_workers_writes_per_commit", default: []].append(folded)
                return rate
            }),
            ("jobs_per_s", {
                let result = try await queueBench.withFreshStore("jobs") {
                    try await benchJobs(store: $0, jobs: max(10_000, n), samples: 200)
                }
                extra["enqueue_to_start_ms_p50", default: []].append(result.enqueueToStartP50Ms)
                extra["enqueue_to_start_ms_p99", default: []].append(result.enqueueToStartP99Ms)
                extra["jobs_commits_per_job", default: []].append(result.commitsPerJob)
                extra["jobs_writes_per_commit", default: []].append(result.writesPerCommit)
                return result.jobsPerSecond
            }),
            ("jobs_per_s_1000_keys_limited_1", {
                // The same no-op jobs spread over 1,000 limit keys, each limited to 1 in flight (issue 14).
                try await queueBench.withFreshStore("jobs_keys") {
                    try await benchJobs(store: $0, jobs: max(10_000, n), samples: 1, limitedKeys: 1000)
                }.jobsPerSecond
            }),
            ("log_entries_per_s", {
                let (rate, reduction) = try await queueBench.withFreshStore("logs") {
                    try await benchLogs(store: $0, entries: max(100_000, n * 10), writers: 8)
                }
                extra["log_write_reduction", default: []].append(reduction)
                return rate
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
        var figures = selected.map { Figure(key: $0.0, value: Self.median(samples[$0.0]!)) }
        let measured = Dictionary(uniqueKeysWithValues: figures.map { ($0.key, $0.value) })
        // Ratios of the figures this run measured (all of them unless --only narrowed it).
        let ratios: [(String, String, String)] = [
            ("send_vs_floor", "send_per_s", "floor_send_per_s"),
            ("send_batch_vs_floor", "send_batch_per_s", "floor_send_batch_per_s"),
            ("receive_delete_vs_floor", "receive_delete_per_s", "floor_receive_delete_per_s"),
            ("lifecycle_1_worker_vs_floor_cycle", "lifecycle_1_worker_per_s", "floor_cycle_per_s"),
            ("lifecycle_4_vs_1_workers", "lifecycle_4_workers_per_s", "lifecycle_1_worker_per_s"),
            ("receive_delete_100k_delayed_vs_empty", "receive_delete_per_s_with_100k_delayed", "receive_delete_per_s"),
            ("jobs_1000_keys_limited_vs_unlimited", "jobs_per_s_1000_keys_limited_1", "jobs_per_s"),
        ]
        for (key, numerator, denominator) in ratios {
            if let a = measured[numerator], let b = measured[denominator] { figures.append(Figure(key: key, value: a / b)) }
        }
        for (key, values) in extra.sorted(by: { $0.key < $1.key }) {
            figures.append(Figure(key: key, value: Self.median(values)))
        }
        return Report(
            figures: figures,
            facts: [("sqlite_version", QuaeroSQLite.sqliteVersion),
                    ("pragmas", options.database.pragmas + " (the floor: the same page size, synchronous and wal_autocheckpoint)")],
            messages: n, rounds: options.rounds)
    }
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}

extension Benchmark.Report {
    /// One flat JSON object: every figure, plus the store's facts, messages and rounds.
    public func json() -> String {
        var members = figures.map { figure -> String in
            let rounded = figure.isRate ? String(format: "%.0f", figure.value) : String(format: "%.3f", figure.value)
            return "\"\(figure.key)\": \(rounded)"
        }
        members += facts.map { "\"\($0.key)\": \"\($0.value)\"" }
        members += ["\"messages\": \(messages)", "\"rounds\": \(rounds)"]
        return "{\n  " + members.joined(separator: ",\n  ") + "\n}"
    }

    /// A readable table.
    public func table() -> String {
        let width = (figures.map(\.key.count).max() ?? 0) + 2
        let about = facts.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        var lines = ["\(about); \(messages) messages, median of \(rounds) rounds", ""]
        for figure in figures {
            let value = figure.isRate ? String(format: "%12.0f", figure.value) : String(format: "%12.3f", figure.value)
            lines.append(figure.key.padding(toLength: width, withPad: " ", startingAt: 0) + value)
        }
        return lines.joined(separator: "\n")
    }
}
