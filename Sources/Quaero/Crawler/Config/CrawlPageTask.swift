public import QuaeroQueue

/// One `crawler_url` job: fetch `url` for crawl `crawlID` at `depth`, under the crawl's config.
///
/// The message carries the crawl's whole config, so a child never has to read its parent to know its
/// limits, and a rerun uses the values the crawl started with.
public struct CrawlPageTask: Sendable, Equatable {
    /// The crawl (parent) job.
    public let crawlID: String
    /// The page to fetch.
    public let url: CrawlURL
    /// Steps from a seed: 0 for a seed.
    public let depth: Int
    /// The crawl's config.
    public let config: CrawlConfig

    /// Creates a task.
    public init(crawlID: String, url: CrawlURL, depth: Int, config: CrawlConfig) {
        self.crawlID = crawlID
        self.url = url
        self.depth = depth
        self.config = config
    }

    /// The task for a link found on this page: one step deeper, same crawl and config.
    public func link(_ url: CrawlURL) -> CrawlPageTask {
        CrawlPageTask(crawlID: crawlID, url: url, depth: depth + 1, config: config)
    }

    /// The queue's dedup key: the same URL is enqueued once per crawl while its message exists.
    public var dedupKey: String { "crawl:\(crawlID):\(url.string)" }

    /// The job message for this task, with a new job id unless one is given.
    public func message(id: String = JobMessage.newID()) -> JobMessage {
        JobMessage(id: id, type: .crawlerURL, parentID: crawlID,
                   fields: ["url": .string(url.string), "depth": .number(Double(depth)), "config": config.json])
    }

    /// Reads the task from its message.
    /// - Parameter defaults: fill in config keys the message lacks (messages written by this version have them all).
    /// - Throws: `JobConfigError` (job `crawler_url` or `crawl`) naming the field: no parent, a bad URL or
    ///   depth, a bad config.
    public init(message: JobMessage, defaults: CrawlerSettings = CrawlerSettings()) throws(JobConfigError) {
        let fail = { (field: String, problem: String) in JobConfigError(job: "crawler_url", field: field, problem) }
        guard let crawlID = message.parentID, !crawlID.isEmpty else { throw fail("parent_id", "is missing; a crawler_url job belongs to a crawl") }
        guard let text = message.fields["url"]?.stringValue else { throw fail("url", "is missing or not a string") }
        let url: CrawlURL
        do { url = try CrawlURL(text) } catch { throw fail("url", "is not usable: \(error)") }
        guard let depth = message.fields["depth"]?.intValue, depth >= 0 else { throw fail("depth", "must be a whole number of 0 or more") }
        let config = try CrawlConfig(json: message.fields["config"] ?? .object([:]), defaults: defaults)
        self.init(crawlID: crawlID, url: url, depth: depth, config: config)
    }
}
