import Synchronization

/// The robots.txt of each host, fetched once per crawl however many pages ask for it at once.
///
/// Keyed by crawl and origin: concurrent askers share one fetch; a failed fetch is not kept, so the next
/// asker (a retry) fetches again. Lives in the worker process: after a restart a crawl fetches each
/// robots.txt once more, which is harmless. `forget(crawl:)` drops a finished crawl's entries, and at most
/// `capacity` entries are kept (the oldest go first), so a long-running worker does not grow without bound.
public final class RobotsCache: Sendable {
    private struct Key: Hashable {
        let crawl: String
        let origin: String
    }

    private struct Entry {
        let task: SharedTask<RobotsTxt>
        let sequence: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var nextSequence: UInt64 = 0
    }

    private let state = Mutex(State())
    /// The most entries kept.
    public let capacity: Int

    /// Creates an empty cache that keeps at most `capacity` robots.txt files.
    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    /// The robots.txt for `origin` in crawl `crawl`: the cached one, the one being fetched, or a new fetch.
    /// - Parameter fetch: fetches it (`PageFetcher.fetchRobotsTxt`); its error is thrown to every waiter.
    public func robots(crawl: String, origin: String, fetch: @escaping @Sendable () async throws -> RobotsTxt) async throws -> RobotsTxt {
        let key = Key(crawl: crawl, origin: origin)
        let task = state.withLock { state in
            if let existing = state.entries[key] { return existing.task }
            // Unstructured on purpose: the fetch belongs to every asker, not to the first, so the first
            // being cancelled must not fail the others. It is bounded by request_timeout; a cancelled asker
            // stops waiting for it at once.
            let task = SharedTask { try await fetch() }
            state.nextSequence += 1
            state.entries[key] = Entry(task: task, sequence: state.nextSequence)
            if state.entries.count > capacity, let oldest = state.entries.min(by: { $0.value.sequence < $1.value.sequence })?.key {
                state.entries[oldest] = nil
            }
            return task
        }
        do {
            return try await task.value
        } catch is CancellationError where Task.isCancelled {
            throw CancellationError()  // this asker stopped waiting; the fetch goes on for the others
        } catch {
            state.withLock { state in
                if state.entries[key]?.task === task { state.entries[key] = nil }
            }
            throw error
        }
    }

    /// Forgets every robots.txt of `crawl` (when it has ended).
    public func forget(crawl: String) {
        state.withLock { state in state.entries = state.entries.filter { $0.key.crawl != crawl } }
    }

    /// How many robots.txt files are cached or being fetched.
    public var count: Int { state.withLock { $0.entries.count } }
}
