import Synchronization

/// The robots.txt of each host, fetched once per crawl however many pages ask for it at once.
///
/// Keyed by crawl and origin: concurrent askers share one fetch; a failed fetch is not kept, so the next
/// asker (a retry) fetches again. Lives in the worker process: after a restart a crawl fetches each
/// robots.txt once more, which is harmless. `forget(crawl:)` drops a finished crawl's entries.
public final class RobotsCache: Sendable {
    private struct Key: Hashable {
        let crawl: String
        let origin: String
    }

    private let entries = Mutex<[Key: Task<RobotsTxt, any Error>]>([:])

    /// Creates an empty cache.
    public init() {}

    /// The robots.txt for `origin` in crawl `crawl`: the cached one, the one being fetched, or a new fetch.
    /// - Parameter fetch: fetches it (`PageFetcher.fetchRobotsTxt`); its error is thrown to every waiter.
    public func robots(crawl: String, origin: String, fetch: @escaping @Sendable () async throws -> RobotsTxt) async throws -> RobotsTxt {
        let key = Key(crawl: crawl, origin: origin)
        let task = entries.withLock { entries in
            if let existing = entries[key] { return existing }
            // Unstructured on purpose: the fetch belongs to every asker, not to the first, so the first
            // being cancelled must not fail the others. It is awaited by each asker and never outlives them
            // by more than one request.
            let task = Task { try await fetch() }
            entries[key] = task
            return task
        }
        do {
            // A cancelled asker still waits for the shared fetch, which request_timeout bounds.
            return try await task.value
        } catch {
            entries.withLock { entries in
                if entries[key] == task { entries[key] = nil }
            }
            throw error
        }
    }

    /// Forgets every robots.txt of `crawl` (when it has ended).
    public func forget(crawl: String) {
        entries.withLock { entries in entries = entries.filter { $0.key.crawl != crawl } }
    }

    /// How many robots.txt files are cached or being fetched.
    public var count: Int { entries.withLock { $0.count } }
}
