import Foundation
@testable import Quaero
import QuaeroQueue
import QuaeroTestSupport
import QuaeroSQLite
import Testing

@Suite("Crawls against a generated site on 127.0.0.1", .serialized, .timeLimit(.minutes(2)))
struct CrawlerJobTests {
    /// What one crawl left behind.
    struct Outcome {
        let documents: Set<String>
        let crawl: Job
        let server: TestHTTPServer
        let otherServer: TestHTTPServer
        /// The crawl's job log, oldest first.
        let log: [String]
    }

    /// Crawls the test site from its root with `change` applied to the test defaults; returns what was stored.
    private func crawl(include: [String] = [], exclude: [String] = [],
                       _ change: (inout CrawlerSettings) -> Void = { _ in }) async throws -> Outcome {
        try await TestHTTPServer.run({ _ in .html("<p>other host</p>") }) { other in
            try await TestHTTPServer.run(TestSite.routes(otherHost: "127.0.0.1:\(other.port)")) { server in
                try await withAppStore { database, _ in
                    let manager = JobManager(queue: try Queue(name: "jobs", store: database, options: QueueOptions(maxReceive: 2)))
                    let logs = try LogService(store: database)
                    let pool = try WorkerPool(manager: manager, options: WorkerPoolOptions(
                        concurrency: 6, pollInterval: .milliseconds(50), backoffBase: .milliseconds(10), backoffJitter: 0), logService: logs)
                    let store = try DocumentStore(store: database)
                    let fetcher = PageFetcher()
                    CrawlerJobs(store: store, fetcher: fetcher, logs: logs).register(on: pool)
                    try await pool.start()
                    var settings = CrawlerSettings()
                    settings.requestTimeout = .seconds(1)
                    settings.maxBodyBytes = 20_000
                    change(&settings)
                    let job = try await CrawlerJobs.submit(
                        CrawlConfig(urls: [server.url("/")], include: include, exclude: exclude, settings: settings), manager: manager)
                    _ = try await manager.handle(for: job.id).result()
                    let crawl = try await manager.getJob(job.id)
                    let documents = try await store.documents(ofJob: job.id, limit: 1000).map(\.url)
                    await pool.stop()
                    try await fetcher.shutdown()
                    try await logs.flush()
                    let log = try await logs.store.entries(jobID: job.id, limit: 1000).reversed().map(\.message)
                    let prefix = server.url("")
                    return Outcome(documents: Set(documents.map { String($0.dropFirst(prefix.count)) }),
                                   crawl: crawl, server: server, otherServer: other, log: Array(log))
                }
            }
        }
    }

    @Test("the exact documents for depth 0, 1 and 2", arguments: [0, 1, 2])
    func depths(depth: Int) async throws {
        let outcome = try await crawl { $0.maxDepth = depth }
        #expect(outcome.documents == TestSite.pages(depth: depth))
        #expect(outcome.crawl.status == .completed)
        #expect(outcome.otherServer.paths.isEmpty, "same_host keeps the crawl off the other host")
        #expect(!outcome.server.paths.contains("/private/secret"), "robots.txt is obeyed")
        #expect(outcome.server.paths.filter { $0 == "/robots.txt" }.count == 1, "robots.txt is fetched once per crawl")
        let fetched = outcome.server.paths.filter { $0 != "/robots.txt" && $0 != "/b/error" && $0 != "/b/slow" }
        #expect(fetched.count == Set(fetched).count, "no URL is fetched twice (retries of failing pages aside)")
    }

    @Test("the crawl's counters add up: pages done, failed, and the failures are the troublesome pages")
    func counters() async throws {
        let outcome = try await crawl { $0.maxDepth = 2 }
        let progress = outcome.crawl.progress
        // Pages: the good ones, /private/secret (skipped by robots.txt, completed), the six troublesome ones.
        #expect(progress.total == TestSite.pages(depth: 2).count - 1 + 1 + TestSite.troublesome.count)
        #expect(progress.failed == 5, "404, 500, timeout, PDF and oversize fail; the redirect succeeds")
        #expect(progress.completed + progress.failed == progress.total)
        #expect(outcome.server.paths.filter { $0 == "/b/error" }.count == 2, "a 500 is retried until max_receive")
        #expect(outcome.server.paths.filter { $0 == "/b/missing" }.count == 1, "a 404 is not retried")
        // Every step is in the crawl's log.
        let log = outcome.log.joined(separator: "\n")
        #expect(outcome.log.first?.hasPrefix("crawl started: 1 seed URLs, max_depth 2") == true, "\(outcome.log.prefix(3))")
        #expect(outcome.log.filter { $0.hasPrefix("fetched ") }.count == TestSite.pages(depth: 2).count)
        #expect(log.contains("skipped \(outcome.server.url("/private/secret")): disallowed by robots.txt"))
        #expect(log.contains("\(outcome.server.url("/b/missing")) answered 404"))
        #expect(log.contains("\(outcome.server.url("/b/error")) answered 500 Internal Server Error; will retry"))
        #expect(log.contains("is not HTML (content type application/pdf)"))
        #expect(log.contains("(max_body_bytes)"))
        #expect(log.contains("(request_timeout); will retry"))
    }

    @Test("per-host concurrency is never exceeded (the server counts)", arguments: [1, 2])
    func perHost(limit: Int) async throws {
        // Without the slow page: the server would go on counting a request the crawler gave up on.
        let outcome = try await crawl(exclude: ["/b/slow"]) {
            $0.maxDepth = 2
            $0.perHostConcurrency = limit
        }
        #expect(outcome.server.maxInFlight <= limit)
        #expect(outcome.server.maxInFlight >= 1)
        #expect(outcome.documents == TestSite.pages(depth: 2))
    }

    @Test("include and exclude patterns pick the pages; seeds are always fetched")
    func patterns() async throws {
        let excluded = try await crawl(exclude: ["/b"]) { $0.maxDepth = 2 }
        #expect(excluded.documents == TestSite.pages(depth: 2).filter { !$0.hasPrefix("/b") })
        let included = try await crawl(include: ["/a"]) { $0.maxDepth = 2 }
        #expect(included.documents == ["/", "/a", "/a/1", "/a/2", "/a/3", "/a/4"])
    }

    @Test("max_pages caps the pages of a crawl, in the order links appear")
    func maxPages() async throws {
        let outcome = try await crawl(include: ["/c"]) {
            $0.maxDepth = 3
            $0.maxPages = 4
        }
        #expect(outcome.documents == ["/", "/c", "/c/1", "/c/2"])
        #expect(outcome.crawl.progress.total == 4)
    }

    @Test("a malformed crawl is refused before anything is enqueued")
    func malformed() async throws {
        try await withAppStore { database, _ in
            let manager = JobManager(queue: try Queue(name: "jobs", store: database))
            for config in [CrawlConfig(urls: []), CrawlConfig(urls: ["ftp://example.com/"]),
                           CrawlConfig(urls: ["https://example.com/"], include: ["("]),
                           CrawlConfig(urls: ["https://example.com/"], settings: { var s = CrawlerSettings(); s.maxDepth = -1; return s }())] {
                await #expect(throws: JobConfigError.self) { try await CrawlerJobs.submit(config, manager: manager) }
            }
            #expect(try await manager.listJobs().isEmpty)
            #expect(try await manager.queue.stats().totals.ready == 0)
        }
    }
}

@Suite("Crawl frontier query plan")
struct CrawlFrontierPlanTests {
    @Test("checking whether a crawl already has a URL is a primary-key lookup of crawl_pages")
    func plan() async throws {
        try await withAppStore { database, _ in
            let plan = try await database.database.read { connection in
                try connection.query("EXPLAIN QUERY PLAN SELECT 1 FROM crawl_pages WHERE crawl_id = ?1 AND url = ?2", ["c", "u"]) { $0.text(3) }
            }
            #expect(plan.joined().contains("USING PRIMARY KEY"), "\(plan)")
        }
    }
}

@Suite("Crawl frontier")
struct CrawlFrontierTests {
    @Test("a URL is added once per crawl, up to max_pages, and never to a crawl that has ended")
    func add() async throws {
        try await withAppStore { database, _ in
            let manager = JobManager(queue: try Queue(name: "jobs", store: database))
            var settings = CrawlerSettings()
            settings.maxPages = 3
            let config = CrawlConfig(urls: ["https://example.com/"], settings: settings)
            let crawl = try await manager.createJob(JobSpec(type: .crawl, config: config.json.objectValue ?? [:], failOnChildFailure: false))
            let task = { (path: String) in CrawlPageTask(crawlID: crawl.id, url: try CrawlURL("https://example.com\(path)"), depth: 1, config: config) }
            let first = try [task("/a"), task("/b"), task("/a")]
            let content = try database.content
            let (added, over) = try await database.write { try await CrawlFrontier.add(first, manager: manager, content: content, in: $0) }
            #expect(added.map(\.url.path) == ["/a", "/b"])
            #expect(over == 0)
            let second = try [task("/b"), task("/c"), task("/d"), task("/e")]
            let (more, left) = try await database.write { try await CrawlFrontier.add(second, manager: manager, content: content, in: $0) }
            #expect(more.map(\.url.path) == ["/c"])
            #expect(left == 2)
            #expect(try await manager.getJob(crawl.id).progress.total == 3)

            let other = try await manager.createJob(JobSpec(type: .crawl, config: config.json.objectValue ?? [:]))
            try await manager.cancel(other.id)
            let late = [CrawlPageTask(crawlID: other.id, url: try CrawlURL("https://example.com/x"), depth: 1, config: config)]
            let (none, _) = try await database.write { try await CrawlFrontier.add(late, manager: manager, content: content, in: $0) }
            #expect(none.isEmpty)
        }
    }
}
