public import Logging
public import QuaeroQueue

/// The Quaero app's job handlers (crawl, page, summarizer, cleanup), built once from the configuration.
///
/// Owns the crawler's HTTP client: call `shutdown()` after the worker pool has stopped.
public struct QuaeroJobs: Sendable {
    /// The crawl and page handlers.
    public let crawler: CrawlerJobs
    /// The summarizer handler.
    public let summarizer: SummarizerJob
    /// The cleanup handler.
    public let cleanup: CleanupJob
    /// The crawler's HTTP client.
    public let fetcher: PageFetcher

    /// Builds the handlers: `[crawler]` defaults, the summarizer of `[summarizer]` (the built-in one, or an
    /// LLM endpoint with the built-in one as fallback), and `[cleanup] dead_letter_age`.
    /// - Parameters:
    ///   - logs: where every step of every job is logged (nil: only to `logger`'s handler through the pool).
    ///   - logger: the fallback summarizer reports endpoint failures here.
    /// - Throws: `QuaeroError(.invalidArgument)` for an unusable `summarizer.llm_url` or an empty `summarizer.model`.
    public init(config: QuaeroConfig, manager: JobManager, logs: LogService? = nil,
                logger: Logger = Logger(label: "quaero.jobs"), clock: any QuaeroClock = SystemClock()) throws {
        let store = DocumentStore(database: manager.database, clock: clock)
        var summarizer: any DocumentSummarizer = ExtractiveSummarizer()
        if let llm = config.summarizer.llm {
            try llm.validate()
            summarizer = FallbackSummarizer(primary: LLMSummarizer(settings: llm), fallback: ExtractiveSummarizer(), logger: logger)
        }
        fetcher = PageFetcher(connectTimeout: config.crawler.requestTimeout, logger: logger)
        crawler = CrawlerJobs(store: store, fetcher: fetcher, defaults: config.crawler, logs: logs)
        self.summarizer = SummarizerJob(store: store, summarizer: summarizer, logs: logs)
        cleanup = CleanupJob(manager: manager, deadLetterAge: config.cleanup.deadLetterAge, logs: logs, clock: clock)
    }

    /// Registers every handler on `pool`.
    public func register(on pool: WorkerPool) {
        crawler.register(on: pool)
        summarizer.register(on: pool)
        cleanup.register(on: pool)
    }

    /// The service that creates a cleanup job every `[cleanup] interval`, for the `ServiceGroup` of
    /// `serve` and `worker`.
    public static func cleanupScheduler(config: QuaeroConfig, manager: JobManager, clock: any QuaeroClock = SystemClock()) -> CleanupScheduler {
        CleanupScheduler(manager: manager, interval: config.cleanup.interval,
                         request: CleanupRequest(ageThresholdDays: config.cleanup.ageThresholdDays), clock: clock)
    }

    /// Closes the crawler's HTTP client.
    public func shutdown() async throws {
        try await fetcher.shutdown()
    }
}
