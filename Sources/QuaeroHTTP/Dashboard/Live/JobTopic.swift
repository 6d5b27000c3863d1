import Quaero
import QuaeroQueue
import Synchronization

/// What every open page of one job shares: the job's parts (read once per change, however many pages show
/// it) and the tail of its log.
final class JobTopic: Sendable {
    let id: String
    let view: SharedRead<JobView>
    let tail: LogTail
    let wakes = Wakeups()

    init(id: String, runtime: QuaeroRuntime) {
        self.id = id
        view = SharedRead(minInterval: DashboardHub.jobInterval, clock: runtime.clock) {
            JobView(try await JobViewData.load(id, runtime: runtime), maxReceive: runtime.queueManager.queue.options.maxReceive)
        }
        tail = LogTail(jobID: id, runtime: runtime)
    }
}

/// The newest lines of one job's log, kept in memory while pages follow it: a page that reconnects, or a
/// second page, is served from here; only lines stored since the last read are read from the database.
final class LogTail: Sendable {
    /// Lines kept.
    static let kept = 500
    /// Lines read at most: when a page starts, and per refresh (a burst past it shows after a reload).
    static let readLimit = 1000

    private struct State {
        var lines: [JobLogEntry] = []
        var loaded = false
    }
    private let jobID: String
    private let store: JobLogStore
    private let state: LockedBox<State>
    private let reads: SharedRead<Void>

    init(jobID: String, runtime: QuaeroRuntime) {
        self.jobID = jobID
        let store = runtime.logService.store
        self.store = store
        let state = LockedBox(State())
        self.state = state
        // Each read appends the lines stored after the newest one held (the newest `kept` at first).
        reads = SharedRead(minInterval: DashboardHub.jobInterval, clock: runtime.clock) {
            let (loaded, newest) = state.withLock { ($0.loaded, $0.lines.last) }
            let fresh = loaded ? try await store.entries(jobID: jobID, after: newest, limit: LogTail.readLimit)
                : Array(try await store.entries(jobID: jobID, limit: LogTail.kept).reversed())
            state.withLock { s in
                s.loaded = true
                s.lines = Array((s.lines + fresh).suffix(LogTail.kept))
            }
        }
    }

    /// Marks the tail stale (lines were flushed).
    func invalidate() { reads.invalidate() }

    /// The lines after line `cursor` (every kept line when nil), oldest first, after reading the new ones when
    /// the tail is stale or older than `maxAge` (lines another process stored). A cursor older than every kept
    /// line is caught up from the database.
    func lines(after cursor: Int64?, maxAge: Duration? = nil) async throws -> [JobLogEntry] {
        try await reads.current(maxAge: maxAge)
        let kept = state.withLock { $0.lines }
        guard let cursor else { return kept }
        if let index = kept.lastIndex(where: { $0.id == cursor }) { return Array(kept[(index + 1)...]) }
        guard let line = try await store.entry(id: cursor), line.jobID == jobID else { return kept }
        var missed = try await store.entries(jobID: jobID, after: line, limit: Self.readLimit)
        let last = missed.last ?? line
        missed += kept.filter { Self.precedes(last, $0) }
        return missed
    }

    /// Whether `a` comes before `b` in a log's order (time, then id).
    static func precedes(_ a: JobLogEntry, _ b: JobLogEntry) -> Bool {
        a.timestamp < b.timestamp || (a.timestamp == b.timestamp && a.id < b.id)
    }
}

/// A value behind a lock, shared by reference (a `Mutex` itself cannot be captured by escaping closures).
final class LockedBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<T: Sendable>(_ body: (inout sending Value) throws -> sending T) rethrows -> T {
        try mutex.withLock(body)
    }
}
