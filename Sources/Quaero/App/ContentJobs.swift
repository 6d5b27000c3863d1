public import Logging
public import QuaeroQueue

/// The app's content jobs, built once from the configuration: the crawl and its pages (`parent`,
/// `crawler_url`) and the summarizer. (`cleanup` is registered by `QuaeroJobs`.)
///
/// Owns the crawler's HTTP client: call `shutdown()` after the worker pool has stopped.
public struct ContentJobs: Sendable {
    /// The crawl and page handlers.
    public let crawler: CrawlerJobs
    /// The summarizer handler.
    public let summarizer: SummarizerJob
    /// The crawler's HTTP client.
    public let fetcher: PageFetcher

    /// Builds the handlers: `[crawler]` defaults and the summarizer of `[summarizer]` (the built-in one, or an
    /// LLM endpoint with the built-in one as fallback).
    /// - Parameters:
    ///   - logs: the job log; each page's steps also go to its crawl's log (a page's own log is the pool's).
    ///   - logger: the fallback summarizer reports endpoint failures here.
    /// - Throws: `QuaeroError(.invalidArgument)` for an unusable `summarizer.llm_url` or an empty `summarizer.model`.
    public init(config: QuaeroConfig, manager: JobManager, logs: LogService? = nil,
                logger: Logger = Logger(label: "quaero.jobs"), clock: any QuaeroClock = SystemClock()) throws {
        let store = try DocumentStore(store: manager.store, clock: clock)
        var summarizer: any DocumentSummarizer = ExtractiveSummarizer()
        if let llm = config.summarizer.llm {
            try llm.validate()
            summarizer = FallbackSummarizer(primary: LLMSummarizer(settings: llm), fallback: ExtractiveSummarizer(),
                                            breaker: CircuitBreaker(clock: clock), logger: logger)
        }
        fetcher = PageFetcher(connectTimeout: config.crawler.requestTimeout, logger: logger)
        crawler = CrawlerJobs(store: store, fetcher: fetcher, defaults: config.crawler, logs: logs)
        self.summarizer = SummarizerJob(store: store, summarizer: summarizer)
    }

    /// Registers the crawl, page and summarizer handlers on `pool`.
    public func register(on pool: WorkerPool) {
        crawler.register(on: pool)
        summarizer.register(on: pool)
    }

    /// Closes the crawler's HTTP client.
    public func shutdown() async throws {
        try await fetcher.shutdown()
    }
}
