import Quaero
import Hummingbird
import QuaeroQueue
import ServiceLifecycle
import Synchronization

/// One client's event stream of one job (see `JobEventStream`): what it has sent so far, and the loop that
/// sends what changes.
struct JobEventFeed: Sendable {
    let jobID: String
    let runtime: QuaeroRuntime
    let options: JobEventStream.Options
    /// The job's events and the log's flush notices, subscribed before the job was first read, so that
    /// nothing that happens between that read and the loop is missed.
    private let events: AsyncStream<JobEvent>
    private let flushes: AsyncStream<LogFlush>
    private var job: Job
    /// The last job state sent.
    private var sent: JobEventStream.Snapshot?
    /// The last log line sent (or skipped over): the next lines are the ones after it.
    private var cursor: JobLogEntry?

    /// Subscribes to the job's changes, then reads it.
    /// - Throws: `notFound` for an unknown job.
    static func start(jobID: String, runtime: QuaeroRuntime, options: JobEventStream.Options) async throws -> JobEventFeed {
        let events = runtime.jobManager.events()
        let flushes = runtime.logService.flushes()
        let job = try await runtime.jobManager.getJob(jobID)
        return JobEventFeed(jobID: jobID, runtime: runtime, options: options, events: events, flushes: flushes, job: job)
    }

    private init(jobID: String, runtime: QuaeroRuntime, options: JobEventStream.Options,
                 events: AsyncStream<JobEvent>, flushes: AsyncStream<LogFlush>, job: Job) {
        self.jobID = jobID
        self.runtime = runtime
        self.options = options
        self.events = events
        self.flushes = flushes
        self.job = job
    }

    /// Sends the job, its first lines, then each change until the job ends, the server shuts down or the
    /// client goes away (a write throws).
    mutating func run(resumingAfter lastEventID: Int64?, to writer: inout any ResponseBodyWriter) async throws {
        try await sendJobIfChanged(to: &writer)
        try await sendFirstLines(resumingAfter: lastEventID, to: &writer)
        if job.status.isTerminal { return try await finish(endedHere: false, to: &writer) }

        let signals = FeedSignals()
        let (jobID, events, flushes, options) = (jobID, events, flushes, options)
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    for await event in events where event.jobID == jobID { signals.note(event.isTerminal ? [.job, .endedHere] : .job) }
                }
                group.addTask {
                    for await flush in flushes where flush.jobIDs.contains(jobID) { signals.note(.logs) }
                }
                group.addTask {
                    while (try? await options.clock.sleep(for: options.pollInterval)) != nil { signals.note(.poll) }
                }
                try await follow(signals, to: &writer)
                group.cancelAll()
            }
        } onGracefulShutdown: {
            signals.note(.shutdown)
        }
    }

    /// The loop: on each wake, reads what may have changed and sends what did.
    private mutating func follow(_ signals: FeedSignals, to writer: inout any ResponseBodyWriter) async throws {
        var quiet: Duration = .zero
        for await _ in signals.wakes {
            let due = signals.take()
            if due.contains(.shutdown) || Task.isShuttingDownGracefully {
                return try await writer.write(JobEventStream.frame("shutdown", ["status": job.status.rawValue]))
            }
            var wrote = false
            if !due.isDisjoint(with: [.logs, .poll]) {
                wrote = try await sendNewLines(to: &writer)
            }
            if !due.isDisjoint(with: [.job, .poll]) {
                guard let current = try await readJob() else {
                    return try await writer.write(JobEventStream.frame("end", ["status": "deleted"]))  // deleted meanwhile
                }
                job = current
                if job.status.isTerminal { return try await finish(endedHere: due.contains(.endedHere), to: &writer) }
                if try await sendJobIfChanged(to: &writer) { wrote = true }
            }
            if wrote {
                quiet = .zero
            } else if due.contains(.poll) {
                quiet += options.pollInterval
                if quiet >= options.heartbeatInterval {
                    try await writer.write(JobEventStream.heartbeat)
                    quiet = .zero
                }
            }
        }
    }

    /// Sends the final state, every line the job logged before it ended, and `end`.
    ///
    /// A job that ended in this process (its terminal event came in-process) logged its last lines into
    /// this process's log service: a flush stores them. One seen ended only by reading may have ended in
    /// another process, whose buffer can hold its lines for up to its flush interval after the end; the
    /// line its log sink writes for the end is the sign they are stored (a service stores lines in append
    /// order), so the stream waits for a line at or after the end, at most `foreignFlushWait` past it.
    private mutating func finish(endedHere: Bool, to writer: inout any ResponseBodyWriter) async throws {
        try? await runtime.logService.flush()
        _ = try await sendNewLines(to: &writer)
        if !endedHere, let finishedAt = job.finishedAt {
            let deadline = finishedAt + options.foreignFlushWait.milliseconds
            while (cursor?.timestamp ?? .min) < finishedAt {
                let left = deadline - options.clock.nowMillis()
                if left <= 0 { break }
                try? await options.clock.sleep(for: .milliseconds(min(left, 100)))
                _ = try await sendNewLines(to: &writer)
            }
        }
        _ = try await sendJobIfChanged(to: &writer)
        try await writer.write(JobEventStream.frame("end", ["status": job.status.rawValue]))
    }

    private func readJob() async throws -> Job? {
        do {
            return try await runtime.jobManager.getJob(jobID)
        } catch let error as QuaeroError where error.code == .notFound {
            return nil
        }
    }

    /// Sends `job` when its status, progress, message or error differ from what was sent; true when it did.
    @discardableResult
    private mutating func sendJobIfChanged(to writer: inout any ResponseBodyWriter) async throws -> Bool {
        let snapshot = JobEventStream.Snapshot(job: job)
        guard snapshot != sent else { return false }
        try await writer.write(JobEventStream.frame("job", snapshot))
        sent = snapshot
        return true
    }

    /// The lines after `lastEventID` when that is a line of this job; otherwise the newest `initialLines`
    /// (of those, only the ones after `lastEventID` when given: its line may have been cleaned up).
    private mutating func sendFirstLines(resumingAfter lastEventID: Int64?, to writer: inout any ResponseBodyWriter) async throws {
        let store = runtime.logService.store
        if let lastEventID, let line = try await store.entry(id: lastEventID), line.jobID == jobID {
            cursor = line
            _ = try await sendNewLines(to: &writer)
            return
        }
        let newest = try await store.entries(jobID: jobID, limit: JobEventStream.initialLines)
        for line in newest.reversed() where line.id > lastEventID ?? .min {
            try await writer.write(JobEventStream.frame("log", line, id: line.id))
        }
        cursor = newest.first
    }

    /// Sends every stored line after `cursor`; true when there was one.
    private mutating func sendNewLines(to writer: inout any ResponseBodyWriter) async throws -> Bool {
        let page = 500
        var sentAny = false
        while true {
            let lines = try await runtime.logService.store.entries(jobID: jobID, after: cursor, limit: page)
            for line in lines { try await writer.write(JobEventStream.frame("log", line, id: line.id)) }
            cursor = lines.last ?? cursor
            sentAny = sentAny || !lines.isEmpty
            if lines.count < page { return sentAny }
        }
    }
}

/// What woke a feed: which reads are due. Wakes coalesce, so a burst of events costs one read.
final class FeedSignals: Sendable {
    struct Due: OptionSet, Sendable {
        let rawValue: Int
        /// The job changed in this process.
        static let job = Due(rawValue: 1 << 0)
        /// Its terminal event came in-process.
        static let endedHere = Due(rawValue: 1 << 1)
        /// New lines of the job were flushed in this process.
        static let logs = Due(rawValue: 1 << 2)
        /// The poll interval passed: read the row and the lines (other processes' changes).
        static let poll = Due(rawValue: 1 << 3)
        /// The server is shutting down.
        static let shutdown = Due(rawValue: 1 << 4)
    }

    private let due = Mutex(Due())
    let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init() {
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Marks what is due and wakes the feed.
    func note(_ more: Due) {
        due.withLock { $0.formUnion(more) }
        wake.yield()
    }

    /// What is due, resetting it.
    func take() -> Due {
        due.withLock { due in
            defer { due = [] }
            return due
        }
    }
}
