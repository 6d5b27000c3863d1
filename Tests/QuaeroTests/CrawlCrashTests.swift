import Foundation
import Quaero
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// A crawl whose worker process is SIGKILLed midway and restarted ends with the same documents.
@Suite("Crawl crash safety", .serialized, .timeLimit(.minutes(2)))
struct CrawlCrashTests {
    static let kills = 4

    static let workerPath = ChildProcess.builtExecutable("QuaeroCrawlWorker")

    static func launch(_ path: String) throws -> Process {
        try ChildProcess.launch(workerPath, [path, "100"])  // heartbeat every 100 ms
    }

    @Test("kill -9 during a crawl, restart: the crawl ends with exactly the documents of an undisturbed one")
    func killRestart() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.workerPath), "build QuaeroCrawlWorker first")
        try await TestHTTPServer.run({ _ in .html("<p>other</p>") }) { other in
            try await TestHTTPServer.run(TestSite.routes(otherHost: "127.0.0.1:\(other.port)")) { server in
                try await withAppStore { database, directory in
                    let manager = JobManager(queue: try Queue(name: "crawl", store: database))
                    var settings = CrawlerSettings()
                    settings.maxDepth = 2
                    settings.requestTimeout = .seconds(2)
                    settings.maxBodyBytes = 20_000
                    // Without the pages that fail only after retries, so that kills decide the pace.
                    let config = CrawlConfig(urls: [server.url("/")], exclude: ["/b/slow", "/b/error"], settings: settings)
                    let crawl = try await CrawlerJobs.submit(config, manager: manager)

                    var process = try Self.launch(directory.path("quaero.db"))
                    var kills = 0
                    while kills < Self.kills {
                        // Kill once some pages are in and the crawl is still going.
                        let progressed = await waitUntil(timeout: .seconds(20)) {
                            ((try? await manager.getJob(crawl.id).progress.completed) ?? 0) >= 2 * (kills + 1)
                        }
                        let running = try await !manager.getJob(crawl.id).status.isTerminal
                        guard progressed, running else { break }
                        try await Task.sleep(for: .milliseconds(Int.random(in: 0...30)))  // a random moment to kill at
                        await ChildProcess.killAndReap(process)
                        kills += 1
                        process = try Self.launch(directory.path("quaero.db"))
                    }
                    let finished = await waitUntil(timeout: .seconds(60), pollEvery: .milliseconds(20)) {
                        (try? await manager.getJob(crawl.id).status.isTerminal) == true
                    }
                    await ChildProcess.killAndReap(process)
                    #expect(finished, "the crawl ended")
                    #expect(kills >= 1, "the worker was killed while the crawl ran")
                    print("crawl crash test: \(kills) kills")

                    let documents = try await DocumentStore(store: database).documents(ofJob: crawl.id, limit: 1000).map(\.url)
                    let prefix = server.url("")
                    #expect(Set(documents.map { String($0.dropFirst(prefix.count)) }) == TestSite.pages(depth: 2))
                    #expect(documents.count == Set(documents).count)
                    let job = try await manager.getJob(crawl.id)
                    #expect(job.status == .completed)
                    #expect(job.progress.failed == 3, "the 404, the PDF and the oversize page")
                    #expect(job.progress.completed + job.progress.failed == job.progress.total)
                }
            }
        }
    }
}
