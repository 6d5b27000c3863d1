import Quaero
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("ContentJobs: the crawl and summarizer handlers from the configuration")
struct ContentJobsTests {
    @Test("crawl, page and summarizer get their handlers; the summarizer follows [summarizer]; [crawler] gives the crawl defaults")
    func composition() async throws {
        try await withAppStore { database, _ in
            let manager = JobManager(queue: try Queue(name: "jobs", store: database))
            var config = QuaeroConfig()
            config.crawler.maxDepth = 5
            let jobs = try ContentJobs(config: config, manager: manager)
            let pool = try WorkerPool(manager: manager)
            jobs.register(on: pool)
            QuaeroJobs.register(on: pool)
            #expect(pool.registeredTypes == [.cleanup, .crawlerURL, .crawl, .summarizer].sorted { $0.rawValue < $1.rawValue })
            #expect(jobs.summarizer.summarizer is ExtractiveSummarizer)
            #expect(jobs.crawler.defaults.maxDepth == 5)

            config.summarizer.llmURL = "http://127.0.0.1:11434/v1/chat/completions"
            config.summarizer.model = "tiny"
            let withLLM = try ContentJobs(config: config, manager: manager)
            #expect(withLLM.summarizer.summarizer is FallbackSummarizer)
            config.summarizer.model = ""
            #expect(throws: QuaeroError.self) { try ContentJobs(config: config, manager: manager) }

            let cleanup = try #require(try config.allSchedules.first)
            #expect(cleanup.name == "cleanup")
            #expect(cleanup.cron.expression == "@every 1h")
            #expect(cleanup.catchUp == .latest)
            #expect(cleanup.config == ["age_threshold_days": .number(30), "dead_letter_age_days": .number(30)])
            try await jobs.shutdown()
            try await withLLM.shutdown()
        }
    }
}

@Suite("QuaeroRuntime with the content jobs")
struct RuntimeContentJobsTests {
    @Test("the runtime registers every job type, and a runtime that never runs needs no shutdown of the crawler's client")
    func wiring() async throws {
        try await withAppStore { database, _ in
            do {
                let runtime = try QuaeroRuntime(config: QuaeroConfig(), store: database)
                #expect(runtime.pool.registeredTypes == [.cleanup, .crawlerURL, .crawl, .summarizer].sorted { $0.rawValue < $1.rawValue })
                #expect(runtime.scheduler.schedules.map(\.name) == ["cleanup"])
            }
            // Dropped without running: AsyncHTTPClient would stop the process if a client were left open.
        }
    }
}
