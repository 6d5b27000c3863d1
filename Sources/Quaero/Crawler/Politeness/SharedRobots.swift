import Foundation
import QuaeroQueue

/// robots.txt fetched once per host and crawl across every process: the first page of a host to claim the
/// host's row in the store (`crawl_robots`) fetches it; pages of other processes wait for its body there.
///
/// A fetch that fails gives its claim up (the next page fetches again); a fetcher that dies lets its claim
/// lapse after twice the request timeout, and another takes over.
struct SharedRobots: Sendable {
    let store: any QuaeroStore
    let content: any ContentStorage

    /// How often a page waiting for another process's fetch looks at the row.
    static let pollInterval = Duration.milliseconds(25)

    /// The rules of `origin` for crawl `crawlID`, fetching them with `fetch` when this process holds the fetch.
    func robots(crawl crawlID: String, origin: String, claimFor: Duration,
                fetch: @Sendable () async throws -> RobotsFile) async throws -> RobotsTxt {
        let fetcher = UUID().uuidString
        let (store, content) = (store, content)
        while true {
            let now = store.clock.nowMillis()
            let claim = try await store.write { tx in
                try await content.claimRobots(crawl: crawlID, origin: origin, fetcher: fetcher, now: now,
                                              until: now + claimFor.milliseconds, in: tx)
            }
            switch claim {
            case .fetched(let file):
                return file.rules
            case .claimed:
                let file: RobotsFile
                do {
                    file = try await fetch()
                } catch {
                    try? await store.write { tx in try await content.releaseRobots(crawl: crawlID, origin: origin, fetcher: fetcher, in: tx) }
                    throw error
                }
                try await store.write { tx in
                    try await content.storeRobots(file, crawl: crawlID, origin: origin, fetcher: fetcher, in: tx)
                }
                return file.rules
            case .busy:
                // Another process fetches it (over the network, so real time): look again shortly; its claim
                // lapsing lets this one take over.
                try await Task.sleep(for: Self.pollInterval)
            }
        }
    }
}
