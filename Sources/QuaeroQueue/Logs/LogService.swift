import DequeModule
public import Logging
public import ServiceLifecycle
import Synchronization

/// Batched job logs: `append` only buffers, and a flusher writes the buffer in one transaction when
/// `batchSize` lines are waiting or every `flushInterval`, whichever comes first.
///
/// Run it as a `Service`; in a `ServiceGroup` list it before the worker pool: graceful shutdown goes in
/// reverse order, so it then stops after the pool and stores the pool's last lines. `stop()`, a graceful
/// shutdown or the end of `run()` flushes everything. Lines are never lost silently: when the
/// buffer passes `bufferLimit` the oldest waiting lines are shed, counted in `stats` and reported through
/// the logger; lines of jobs that do not exist are dropped and counted likewise.
///
/// Within one service, lines are stored in append order (ids increase), and their timestamps never go
/// backwards even if the clock does.
public final class LogService: Service, Sendable {
    /// The batching settings.
    public let options: LogServiceOptions
    /// The stored logs: query, count and delete through it.
    public let store: JobLogStore
    private let clock: any QuaeroClock
    /// When the service was made: its flush interval counts from here (so a test that moves a manual clock
    /// does not race the start of `run()`).
    private let createdAt: Int64
    private let logger: Logger
    private let state: Mutex<State>
    private let flushGate = AsyncGate()
    private let flushSubscribers = Subscribers<LogFlush>()
    private let runClaimed = Atomic(false)
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    private struct State {
        var buffer: Deque<NewJobLogEntry> = []
        var lastTimestamp: Int64 = .min
        /// A batch wake is on its way to the flusher; cleared when a flush takes the buffer.
        var flushRequested = false
        /// The last write failed: wait for the next tick instead of retrying at every full batch.
        var failing = false
        var stats = LogServiceStats()
        var inFlight = 0
        /// Shed and dropped lines not yet reported through the logger, which hears of them at most once
        /// per flush interval so that an overload does not flood it.
        var unreported = Unreported()
        var lastReport: Int64 = .min
        /// Producers pausing until a flush makes room (`waitForRoom`).
        var roomWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private struct Unreported {
        var shed = 0
        var missingJob = 0
        var aMissingJobID: String?
    }

    /// Creates the log service of `store`.
    ///
    /// - Parameters:
    ///   - store: where the logs are kept.
    ///   - options: batch size, flush interval and buffer limit.
    ///   - clock: drives the flush interval and stamps the lines.
    ///   - logger: where shed and dropped lines and write failures are reported.
    /// - Throws: `invalidArgument` for options out of range.
    public init(store: any QuaeroStore, options: LogServiceOptions = LogServiceOptions(),
                clock: (any QuaeroClock)? = nil, logger: Logger = Logger(label: "quaero.logs")) throws {
        try options.validate()
        self.options = options
        self.store = JobLogStore(store: store)
        self.clock = clock ?? store.clock
        self.createdAt = self.clock.nowMillis()
        self.logger = logger
        self.state = Mutex(State())
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Whether `run()` has been called.
    package var isRunning: Bool { runClaimed.load(ordering: .relaxed) }

    /// What the service has done so far.
    public var stats: LogServiceStats {
        state.withLock { s in
            var stats = s.stats
            stats.pending = s.buffer.count + s.inFlight
            return stats
        }
    }

    // MARK: Append

    /// Buffers one line of `jobID`'s log. Never waits on the database: it takes a lock for a moment and
    /// returns.
    public func append(jobID: String, level: LogLevel, message: String) {
        let now = clock.nowMillis()
        let mustWake = state.withLock { s -> Bool in
            s.lastTimestamp = max(now, s.lastTimestamp)
            if s.buffer.count >= options.bufferLimit {
                s.buffer.removeFirst()
                s.stats.shed += 1
                s.unreported.shed += 1
            }
            s.buffer.append(NewJobLogEntry(jobID: jobID, timestamp: s.lastTimestamp, level: level, message: message))
            s.stats.appended += 1
            guard s.buffer.count >= options.batchSize, !s.flushRequested, !s.failing else { return false }
            s.flushRequested = true
            return true
        }
        if mustWake { wake.yield() }
    }

    // MARK: Flush

    /// A notice after each flush that stored lines, naming their jobs, from now on (ends when the task
    /// iterating it is cancelled or the stream is dropped). Lines are readable through `store` when their
    /// notice arrives; a follower reads the new lines of its job then rather than polling.
    public func flushes() -> AsyncStream<LogFlush> { flushSubscribers.subscribe() }

    /// Writes every buffered line now, in one transaction, after any flush already under way.
    ///
    /// - Throws: the write's error; the lines stay buffered for the next flush.
    public func flush() async throws {
        try await flushGate.withGate { try await flushHoldingGate() }
    }

    private func flushHoldingGate() async throws {
        let batch = state.withLock { s -> Deque<NewJobLogEntry> in
            s.flushRequested = false
            let batch = s.buffer
            // The next batch is likely about as large: reserve that much instead of regrowing step by step.
            s.buffer = Deque(minimumCapacity: batch.count)
            s.inFlight = batch.count
            return batch
        }
        defer {
            report()
            resumeRoomWaiters()
        }
        guard !batch.isEmpty else { return }
        let result: JobLogAppendResult
        do {
            result = try await store.append(Array(batch))
        } catch {
            putBack(batch)
            logger.error("could not write \(batch.count) job log lines; retrying at the next flush", metadata: ["error": "\(error)"])
            throw error
        }
        if result.written > 0, !flushSubscribers.isEmpty {
            flushSubscribers.publish(LogFlush(jobIDs: Set(batch.lazy.map(\.jobID))))
        }
        state.withLock { s in
            s.inFlight = 0
            s.failing = false
            s.stats.transactions += 1
            s.stats.written += result.written
            s.stats.missingJob += result.missingJob
            s.unreported.missingJob += result.missingJob
            s.unreported.aMissingJobID = s.unreported.aMissingJobID ?? result.aMissingJobID
        }
    }

    /// Returns a failed batch to the front of the buffer (it is older than anything appended since),
    /// shedding the oldest lines past the limit.
    private func putBack(_ batch: Deque<NewJobLogEntry>) {
        state.withLock { s in
            s.inFlight = 0
            s.failing = true
            s.stats.failedTransactions += 1
            s.buffer.insert(contentsOf: batch, at: 0)
            let excess = s.buffer.count - options.bufferLimit
            if excess > 0 {
                s.buffer.removeFirst(excess)
                s.stats.shed += excess
                s.unreported.shed += excess
            }
        }
    }

    /// Waits until fewer than `threshold` lines are pending, for producers that would rather pause than
    /// have lines shed (the benchmark). Rechecked after every flush; returns at once when there is room.
    package func waitForRoom(below threshold: Int) async {
        while stats.pending >= threshold {
            await withCheckedContinuation { continuation in
                let hasRoom = state.withLock { s -> Bool in
                    if s.buffer.count + s.inFlight < threshold { return true }
                    s.roomWaiters.append(continuation)
                    return false
                }
                if hasRoom { continuation.resume() }
            }
        }
    }

    private func resumeRoomWaiters() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            defer { s.roomWaiters = [] }
            return s.roomWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Reports shed and dropped lines, at most once per flush interval unless `force`d.
    private func report(force: Bool = false) {
        let now = clock.nowMillis()
        let (unreported, totalShed) = state.withLock { s -> (Unreported, Int) in
            guard s.unreported.shed > 0 || s.unreported.missingJob > 0,
                  force || s.lastReport == .min || now - s.lastReport >= options.flushInterval.milliseconds
            else { return (Unreported(), 0) }
            defer { s.unreported = Unreported() }
            s.lastReport = now
            return (s.unreported, s.stats.shed)
        }
        if unreported.shed > 0 {
            logger.warning("shed \(unreported.shed) job log lines: the buffer was full (logs.buffer_limit \(options.bufferLimit)); \(totalShed) shed in all", metadata: [
                "shed": "\(unreported.shed)", "shed_total": "\(totalShed)",
            ])
        }
        if unreported.missingJob > 0 {
            logger.warning("dropped \(unreported.missingJob) job log lines of jobs that do not exist", metadata: [
                "job_id": "\(unreported.aMissingJobID ?? "")",
            ])
        }
    }

    /// The flush at the end: whatever cannot be written now is given up on, counted and reported.
    private func finalFlush() async {
        do {
            try await flush()
        } catch {
            let lost = state.withLock { s -> Int in
                let lost = s.buffer.count
                s.buffer.removeAll()
                s.stats.failed += lost
                return lost
            }
            logger.error("gave up on \(lost) job log lines at stop: the final flush failed", metadata: ["error": "\(error)"])
        }
        report(force: true)
    }

    // MARK: Lifecycle

    /// Flushes on every full batch and every flush interval until `stop()`, a graceful shutdown or
    /// cancellation, then flushes everything that is left.
    ///
    /// - Throws: `conflict` when called a second time.
    public func run() async throws {
        guard runClaimed.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else {
            throw QuaeroError(.conflict, "the log service is already running or has run; create a new one")
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.clock.every(self.options.flushInterval, from: self.createdAt) { self.wake.yield() } }
                // Ends when `stop()` or a graceful shutdown finishes the stream, or when run() is cancelled.
                for await _ in wakes {
                    try? await flush()
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.wake.finish()
        }
        await finalFlush()
    }

    /// Stops the batching and flushes everything buffered. Lines appended afterwards stay buffered until
    /// the next `flush()` or `stop()`.
    public func stop() async {
        wake.finish()
        await finalFlush()
    }
}
