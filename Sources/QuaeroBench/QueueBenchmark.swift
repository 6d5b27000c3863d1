public import Foundation
public import QuaeroQueue
public import QuaeroSQLite

/// Measurements of the queue itself, each on a fresh database in `directory`, in operations per second.
public struct QueueBenchmark: Sendable {
    /// The folder for the benchmark's database files.
    public let directory: URL
    /// Database settings used for every measurement.
    public let options: DatabaseOptions
    /// Operations (or cycles) per measurement.
    public let count: Int

    /// Creates the benchmark.
    public init(directory: URL, options: DatabaseOptions, count: Int) {
        self.directory = directory
        self.options = options
        self.count = count
    }

    private static let body = Data("yy".utf8)

    /// Runs `body` with a store on a fresh database file, then closes and removes it.
    public func withFreshStore<T>(_ name: String, _ body: (SQLiteStore) async throws -> T) async throws -> T {
        let path = directory.appendingPathComponent("\(name).db").path
        let remove = { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        remove()
        defer { remove() }
        let store = try SQLiteStore(path: path, options: options)
        do {
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    /// Runs `body` with a queue on a fresh database file, then closes and removes the file.
    public func withFreshQueue<T>(_ name: String, _ body: (Queue) async throws -> T) async throws -> T {
        try await withFreshStore(name) { try await body(try Queue(name: "bench", store: $0)) }
    }

    /// One message a transaction.
    public func send() async throws -> Double {
        try await withFreshQueue("send") { queue in
            return try await timed(count) {
                for _ in 0..<count { _ = try await queue.send(Self.body) }
            }
        }
    }

    /// `batch` messages a transaction.
    public func sendBatch(total: Int, batch: Int = 1000) async throws -> Double {
        try await withFreshQueue("send_batch") { queue in
            let messages = [OutgoingMessage](repeating: OutgoingMessage(body: Self.body), count: batch)
            return try await timed(total) {
                var done = 0
                while done < total {
                    let n = min(batch, total - done)
                    _ = try await queue.send(batch: n == batch ? messages : Array(messages.prefix(n)))
                    done += n
                }
            }
        }
    }

    /// `count` ready messages (sent untimed) received and deleted one by one; optionally with `delayed`
    /// messages also in the queue, hidden for an hour.
    public func receiveDelete(delayed: Int = 0) async throws -> Double {
        try await withFreshQueue(delayed == 0 ? "receive_delete" : "receive_delete_delayed") { queue in
            var remaining = delayed
            while remaining > 0 {
                let n = min(1000, remaining)
                _ = try await queue.send(batch: Array(repeating: OutgoingMessage(body: Self.body, delay: .seconds(3600)), count: n))
                remaining -= n
            }
            var ready = count
            while ready > 0 {
                let n = min(1000, ready)
                _ = try await queue.send(batch: Array(repeating: OutgoingMessage(body: Self.body), count: n))
                ready -= n
            }
            return try await timed(count) {
                for _ in 0..<count {
                    guard let message = try await queue.receive().first else {
                        throw QuaeroError(.notFound, "benchmark: the queue ran dry")
                    }
                    try await queue.delete(message.receipt)
                }
            }
        }
    }

    /// Send, receive, delete, by `workers` concurrent tasks sharing `count` cycles; returns cycles per
    /// second and how many writes shared a commit on average.
    public func lifecycle(workers: Int) async throws -> (perSecond: Double, writesPerCommit: Double) {
        try await withFreshStore("lifecycle_\(workers)") { store in
            let queue = try Queue(name: "bench", store: store)
            let perWorker = count / workers
            let before = store.database.writeStatistics
            let rate = try await timed(perWorker * workers) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<workers {
                        group.addTask {
                            var done = 0
                            while done < perWorker {
                                _ = try await queue.send(Self.body)
                                // Another worker may have taken the message just sent; then take the next one.
                                if let message = try await queue.receive().first {
                                    try await queue.delete(message.receipt)
                                    done += 1
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let after = store.database.writeStatistics
            return (rate, Double(after.writes - before.writes) / Double(max(1, after.transactions - before.transactions)))
        }
    }
}

/// Runs `body` and returns `operations` per second of its wall time.
public func timed(_ operations: Int, _ body: () async throws -> Void) async throws -> Double {
    let start = ContinuousClock.now
    try await body()
    return Double(operations) / (ContinuousClock.now - start).seconds
}
