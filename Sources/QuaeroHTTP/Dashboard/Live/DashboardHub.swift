import Quaero
import QuaeroQueue
import ServiceLifecycle
import Synchronization

/// What the dashboard's open pages share: one subscription to the job events and the log's flush notices of
/// this process (its `run()`), the reads each topic needs (`SharedRead`: one read however many pages are
/// open), and the wake-ups of the pages that show them.
///
/// Topics: the overview (also the queue page's counts); each job that a job page shows; and the job lists,
/// which get the events themselves and read nothing.
final class DashboardHub: Service, Sendable {
    let runtime: QuaeroRuntime
    /// The overview's parts, read at most every `overviewInterval`.
    let overview: SharedRead<OverviewView>
    let overviewWakes = Wakeups()
    /// Every job event, for the job lists.
    let listEvents = Broadcast<JobEvent>(keepingOnlyNewest: false)
    private let jobs = Mutex<[String: (topic: JobTopic, pages: Int)]>([:])

    /// The least time between two reads of the overview: a burst of events costs about four reads a second.
    static let overviewInterval: Duration = .milliseconds(250)
    /// The least time between two reads of a job's page: an event reaches its page well within 100 ms.
    static let jobInterval: Duration = .milliseconds(50)

    init(runtime: QuaeroRuntime) {
        self.runtime = runtime
        let pool = runtime.pool
        overview = SharedRead(minInterval: Self.overviewInterval, clock: runtime.clock) {
            OverviewView(try await OverviewData.load(runtime), localPool: (pool.poolID, pool.options.concurrency))
        }
    }

    /// Follows this process's job events and log flushes until shutdown, and tells the topics they concern.
    func run() async throws {
        let events = runtime.jobManager.events()
        let flushes = runtime.logService.flushes()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { for await event in events { self.dispatch(event) } }
                group.addTask { for await flush in flushes { self.dispatch(flush) } }
            }
        }
    }

    /// A job changed: the overview, its page and its parent's page are stale, and the lists hear of it.
    func dispatch(_ event: JobEvent) {
        overview.invalidate()
        overviewWakes.wake()
        for id in [event.jobID, event.parentID].compactMap({ $0 }) {
            if let topic = jobs.withLock({ $0[id]?.topic }) {
                topic.view.invalidate()
                topic.wakes.wake()
            }
        }
        listEvents.publish(event)
    }

    /// Lines were stored: the pages of their jobs read them.
    func dispatch(_ flush: LogFlush) {
        let topics = jobs.withLock { jobs in flush.jobIDs.compactMap { jobs[$0]?.topic } }
        for topic in topics {
            topic.tail.invalidate()
            topic.wakes.wake()
        }
    }

    /// Runs `body` with the topic of job `id`, which lives while a page follows it.
    func withJobTopic<T: Sendable>(_ id: String, _ body: (JobTopic) async throws -> T) async throws -> T {
        let topic = jobs.withLock { jobs -> JobTopic in
            let entry = jobs[id] ?? (JobTopic(id: id, runtime: runtime), 0)
            jobs[id] = (entry.topic, entry.pages + 1)
            return entry.topic
        }
        defer {
            jobs.withLock { jobs in
                guard let entry = jobs[id] else { return }
                jobs[id] = entry.pages > 1 ? (entry.topic, entry.pages - 1) : nil
            }
        }
        return try await body(topic)
    }

    /// How many job topics pages follow now (for tests).
    var jobTopicCount: Int { jobs.withLock { $0.count } }
}

/// Values handed to every subscriber of a topic, in order. A list's events keep every value (unbounded: a
/// slow page delays nothing else); a page's wake-ups keep only the newest, so the wakes that come while a
/// page is busy fold into one pass over what changed.
final class Broadcast<Element: Sendable>: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<Element>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)
    private let policy: AsyncStream<Element>.Continuation.BufferingPolicy

    init(keepingOnlyNewest: Bool) {
        policy = keepingOnlyNewest ? .bufferingNewest(1) : .unbounded
    }

    /// How many listen.
    var count: Int { subscribers.withLock { $0.count } }

    /// The values from now on; ends when dropped or when the task iterating it is cancelled.
    func subscribe() -> AsyncStream<Element> {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<Element>.makeStream(bufferingPolicy: policy)
        subscribers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }

    func publish(_ value: Element) {
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(value) }
    }
}

/// Wakes the open pages of one topic.
typealias Wakeups = Broadcast<Void>

extension Broadcast where Element == Void {
    /// Wake-ups that fold into one while a page is busy.
    convenience init() { self.init(keepingOnlyNewest: true) }

    /// Wakes every page.
    func wake() { publish(()) }
}
