import Quaero
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("Crawl progress line")
struct CrawlProgressTests {
    @Test("done, failed, queued and rate from the crawl's counters; a summary at the end")
    func line() async throws {
        try await withAppStore { database, _ in
            let manager = JobManager(queue: try Queue(name: "jobs", store: database))
            let crawl = try await manager.createJob(JobSpec(type: .crawl))
            let updated = try await manager.updateJob(crawl.id, JobChanges(progress: JobProgress(total: 20, completed: 12, failed: 2)))
            let progress = CrawlProgress(crawl: updated, elapsed: .milliseconds(4_000))
            #expect(progress == CrawlProgress(crawl: updated, elapsed: .seconds(4)))
            #expect(progress.line == "12 done, 2 failed, 6 queued, 3.5 pages/s")
            #expect(CrawlProgress(crawl: updated, elapsed: .zero).line == "12 done, 2 failed, 6 queued, 0.0 pages/s")
            #expect(CrawlProgress.summary(crawl: updated, elapsed: .milliseconds(5_040), documents: 11)
                    == "crawl \(crawl.id) pending: 11 pages stored, 2 failed in 5.0s")
        }
    }
}
