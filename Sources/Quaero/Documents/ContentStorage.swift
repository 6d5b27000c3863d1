import QuaeroQueue

/// The app's own tables (documents and their search index, the crawl frontier) on one store: each store has
/// its own implementation with its own SQL (`Stores/`), called with that store's transactions.
protocol ContentStorage: Sendable {
    /// Stores the page at `url` (a recrawl updates the row); `previous` tells what was there.
    func upsert(url: String, title: String, text: String, contentHash: String, jobID: String?, crawledAt: Int64,
                in tx: any StoreTransaction) async throws -> DocumentUpsert
    /// The document with `id` (with its text), or nil.
    func document(id: Int64, in reader: any StoreReader) async throws -> Document?
    /// The document stored for `url`, or nil.
    func document(url: String, in reader: any StoreReader) async throws -> Document?
    /// The documents last stored by crawl `jobID`, oldest first.
    func documents(ofJob jobID: String, limit: Int, offset: Int, includeText: Bool, in reader: any StoreReader) async throws -> [Document]
    /// The documents with an id below `before` (every one when nil), newest first, without their text.
    func recent(before: Int64?, limit: Int, in reader: any StoreReader) async throws -> [Document]
    /// How many documents crawl `jobID` (or every crawl, when nil) last stored.
    func count(ofJob jobID: String?, in reader: any StoreReader) async throws -> Int
    /// Documents of crawl `jobID` without a summary, with their text, in id order after `after`.
    func unsummarized(ofJob jobID: String, after: Int64, limit: Int, in reader: any StoreReader) async throws -> [Document]
    /// How many documents of crawl `jobID` have no summary yet.
    func unsummarizedCount(ofJob jobID: String, in reader: any StoreReader) async throws -> Int
    /// Stores `summary` for document `id` (only while it has `contentHash`, when given); false when the
    /// content changed meanwhile; throws `notFound` when there is no such document.
    func setSummary(_ summary: String, forDocument id: Int64, contentHash: String?, in tx: any StoreTransaction) async throws -> Bool
    /// Full-text search, best match first.
    func search(_ query: String, jobID: String?, limit: Int, marks: (open: String, close: String),
                in reader: any StoreReader) async throws -> [DocumentSearchHit]

    /// Adds `urls` to crawl `crawlID`'s pages; returns those it did not have yet (the others are another
    /// page's, maybe another process's).
    func addCrawlPages(_ urls: [String], crawl crawlID: String, in tx: any StoreTransaction) async throws -> Set<String>
    /// Those of `urls` that crawl `crawlID` already has a page for.
    func crawlPages(among urls: [String], crawl crawlID: String, in reader: any StoreReader) async throws -> Set<String>

    /// The robots.txt of `origin` in crawl `crawlID` when it was fetched; otherwise takes the fetch for
    /// `fetcher` until `until` when nobody holds it (or its holder let it lapse by `now`; UTC milliseconds).
    func claimRobots(crawl crawlID: String, origin: String, fetcher: String, now: Int64, until: Int64,
                     in tx: any StoreTransaction) async throws -> RobotsClaim
    /// Stores the robots.txt that `fetcher` fetched (only while it holds the fetch).
    func storeRobots(_ file: RobotsFile, crawl crawlID: String, origin: String, fetcher: String,
                     in tx: any StoreTransaction) async throws
    /// Gives up `fetcher`'s fetch (it failed), so that the next asker fetches at once.
    func releaseRobots(crawl crawlID: String, origin: String, fetcher: String, in tx: any StoreTransaction) async throws
}

/// What `ContentStorage.claimRobots` found.
enum RobotsClaim: Sendable, Equatable {
    /// It was fetched: here it is.
    case fetched(RobotsFile)
    /// The asker holds the fetch now.
    case claimed
    /// Another fetcher holds it until then (UTC milliseconds).
    case busy(until: Int64)
}
