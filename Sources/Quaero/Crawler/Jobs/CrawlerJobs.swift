import Logging
public import QuaeroQueue

extension JobType {
    /// A crawl's parent job (DESIGN §7 calls it `parent`; the API's `"crawler"` names it).
    public static let crawl: JobType = .parent

    /// The name users give a crawl (`jobs list --type crawler`, `POST /api/jobs`, `send crawler`).
    public static let crawlerName = "crawler"

    /// The type a user means by `name`: `crawler` is a crawl (stored as `parent`); any other name is itself.
    public init(userName name: String) {
        self = name == Self.crawlerName ? .crawl : JobType(name)
    }

    /// The name a user knows this type by: `crawler` for a crawl, otherwise its stored name.
    public var userName: String { self == .crawl ? Self.crawlerName : rawValue }
}

/// The crawl jobs: the crawl itself (`parent`), which enqueues its seeds, and one `crawler_url` job per page,
/// which fetches, stores and follows links. The crawl ends when its last page has ended; its progress is
/// its pages (total, completed, failed), counted by the engine.
public struct CrawlerJobs: Sendable {
    /// Where pages are stored.
    public let store: DocumentStore
    /// Fetches pages and robots.txt.
    public let fetcher: PageFetcher
    /// One robots.txt fetch per host and crawl in this process (the store shares it with the others).
    public let robots: RobotsCache
    /// `[crawler]`: values a crawl config leaves out.
    public let defaults: CrawlerSettings
    /// The job log: every step of a page also goes to its crawl's log (its own log is the pool's to write).
    public let logs: LogService?

    /// Creates the handlers.
    public init(store: DocumentStore, fetcher: PageFetcher, defaults: CrawlerSettings = CrawlerSettings(),
                logs: LogService? = nil, robots: RobotsCache = RobotsCache()) {
        self.store = store
        self.fetcher = fetcher
        self.defaults = defaults
        self.logs = logs
        self.robots = robots
    }

    /// Registers both handlers on `pool`.
    public func register(on pool: WorkerPool) {
        pool.register(.crawl) { try await self.runCrawl($0) }
        pool.register(.crawlerURL) { try await self.runPage($0) }
    }

    /// Checks `config` and creates the crawl job; nothing is enqueued when the config is malformed.
    /// - Throws: `JobConfigError` naming the field at fault.
    public static func submit(_ config: CrawlConfig, manager: JobManager) async throws -> Job {
        try await manager.createJob(spec(config))
    }

    /// The crawl job for `config`, checked, with its seeds normalized and every effective setting stored.
    /// - Parameter fields: other top-level fields of its message (the original shape's `source_type`, ...).
    /// - Throws: `JobConfigError` naming the field at fault.
    public static func spec(_ config: CrawlConfig, fields: [String: JSONValue] = [:]) throws(JobConfigError) -> JobSpec {
        let scope = try config.validated()
        let normalized = CrawlConfig(urls: scope.seeds.map(\.string), include: config.include, exclude: config.exclude, settings: config.settings)
        return JobSpec(type: .crawl, config: normalized.json.objectValue ?? [:], fields: fields, failOnChildFailure: false)
    }

    /// The crawl job: enqueues one page per seed, then waits (as the engine's parent) for its pages.
    func runCrawl(_ context: JobContext) async throws -> JSONValue? {
        let config = try readJobConfig { () throws(JobConfigError) in
            try CrawlConfig(json: .object(try JobBody.config(of: context.job, keys: CrawlConfig.keys, job: "crawl")), defaults: defaults)
        }
        let scope = try readJobConfig { () throws(JobConfigError) in try config.validated() }
        let seeds = scope.seeds.map { CrawlPageTask(crawlID: context.job.id, url: $0, depth: 0, config: config) }
        let (manager, content) = (context.manager, store.content)
        let (added, overLimit) = try await context.write { tx in
            try await CrawlFrontier.add(seeds, manager: manager, content: content, in: tx)
        }
        let left = overLimit > 0 ? "; \(overLimit) seeds left out by max_pages" : ""
        context.logger.info("crawl started: \(added.count) seed URLs, max_depth \(config.settings.maxDepth), max_pages \(config.settings.maxPages)\(left)")
        return .object(["seeds": .number(Double(added.count))])
    }

    /// One page: robots.txt, fetch, store, and enqueue the links in scope. The host's limits (its
    /// `per_host_concurrency` and `per_host_rate`) hold for the page's job in the store's claim, across every
    /// process: a page that runs has its host's permit, robots.txt included.
    func runPage(_ context: JobContext) async throws -> JSONValue? {
        let task = try readJobConfig { () throws(JobConfigError) in try CrawlPageTask(job: context.job, defaults: defaults) }
        let scope = try readJobConfig { () throws(JobConfigError) in try task.config.validated() }
        let settings = scope.settings
        let logger = context.jobLogger(logs, for: task.crawlID)

        if settings.respectRobots {
            let shared = SharedRobots(store: context.store, content: store.content)
            let rules = try await robots.robots(crawl: task.crawlID, origin: task.url.origin) { [fetcher] in
                try await shared.robots(crawl: task.crawlID, origin: task.url.origin, claimFor: settings.requestTimeout * 2) {
                    try await fetcher.fetchRobotsFile(for: task.url, settings: settings)
                }
            }
            guard rules.allows(task.url, userAgent: settings.userAgent) else {
                logger.info("skipped \(task.url): disallowed by robots.txt")
                return .object(["url": .string(task.url.string), "skipped": .string("robots.txt")])
            }
        }

        let page: FetchedPage
        do {
            page = try await fetcher.fetchPage(task.url, settings: settings)
        } catch let error as FetchError {
            logger.warning("\(error.message)\(error.isRetryable ? "; will retry" : "")")
            if error.isRetryable { throw error }
            throw UnrecoverableJobError(error.message)
        }
        if page.url != task.url, settings.sameHost, !scope.seedAuthorities.contains(page.url.authority) {
            logger.info("skipped \(task.url): redirected off the seed hosts to \(page.url)")
            return .object(["url": .string(task.url.string), "skipped": .string("redirected to \(page.url)")])
        }

        let html = page.parse()
        let links = html.noFollow ? [] : html.resolvedLinks(at: page.url).links
            .filter { scope.verdict(for: $0, depth: task.depth + 1) == .follow }
            .map { task.link($0) }
        let (store, manager) = (store, context.manager)
        let crawledAt = store.now()
        // The document, the new pages and this page's completion commit together: a lost lease rolls all back.
        context.onSuccess { tx in
            let stored = html.noIndex ? nil
                : try await store.upsert(url: page.url.string, title: html.title, text: html.text, jobID: task.crawlID,
                                         crawledAt: crawledAt, in: tx)
            let (added, overLimit) = try await CrawlFrontier.add(links, manager: manager, content: store.content, in: tx)
            let outcome = stored?.outcome.rawValue ?? "not stored (noindex)"
            let left = overLimit > 0 ? ", \(overLimit) left out by max_pages" : ""
            logger.info("fetched \(page.url) (depth \(task.depth)): \(outcome), \(added.count) new links\(left)")
            return .object([
                "url": .string(page.url.string),
                "document_id": stored.map { .number(Double($0.id)) } ?? .null,
                "links": .number(Double(added.count)),
            ])
        }
        return nil
    }
}
