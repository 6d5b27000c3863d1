@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

/// The reads a dashboard pages with: jobs by keyset, time range and full-text search; dead letters newest
/// first by type; leases per pool; the database's size.
@Suite("Job listing, search and dead-letter pages", .timeLimit(.minutes(1)))
struct JobListingTests {
    /// Every page of `filter` (its `limit` per page), following `after`.
    static func allPages(_ manager: JobManager, _ filter: JobFilter) async throws -> [[String]] {
        var pages: [[String]] = []
        var filter = filter
        while true {
            let page = try await manager.listJobs(filter).map(\.id)
            if page.isEmpty { return pages }
            pages.append(page)
            filter.after = page.last
        }
    }

    @Test("keyset pages list every job once, newest first; a time range selects by creation time", arguments: StoreKind.available)
    func keysetAndTime(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            // Ids made at known times (an id begins with its creation time).
            let base: Int64 = 1_767_225_600_000
            let ids = (0..<7).map { JobID.lowerBound(millis: base + Int64($0) * 1000) }
            for id in ids { try await h.manager.createJob(JobSpec(type: "alpha", id: id)) }
            let pages = try await Self.allPages(h.manager, JobFilter(limit: 3))
            #expect(pages.map(\.count) == [3, 3, 1])
            #expect(pages.flatMap { $0 } == ids.reversed())
            let middle = try await h.manager.listJobs(JobFilter(createdSince: base + 2000, createdBefore: base + 5000))
            #expect(middle.map(\.id) == [ids[4], ids[3], ids[2]])
            let since = try await Self.allPages(h.manager, JobFilter(limit: 2, createdSince: base + 4500))
            #expect(since.flatMap { $0 } == [ids[6], ids[5]])
        }
    }

    @Test("search finds jobs by config, fields and error, as they change; all words must occur; `word*` is a prefix; keyset pages; nothing a user types is a syntax error",
          arguments: StoreKind.available)
    func search(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let m = h.manager
            let crawl = try await m.createJob(JobSpec(type: "crawl", config: ["urls": .array([.string("https://example.com/docs")])]))
            let page = try await m.createJob(JobSpec(type: "page", fields: ["url": .string("https://example.org/a-page")]))
            let plain = try await m.createJob(JobSpec(type: "plain"))
            let found = { (words: String) in try await m.listJobs(JobFilter(search: words)).map(\.id) }
            #expect(try await found("example.com") == [crawl.id])
            #expect(try await found("example") == [page.id, crawl.id])
            #expect(try await found("exam*") == [page.id, crawl.id])
            #expect(try await found("example docs") == [crawl.id])
            #expect(try await found("example nowhere") == [])
            #expect(try await found("   ").count == 3, "a blank search is no search")
            for hostile in ["\"", "a\"b", "-x", "NOT", "AND OR", "*", "(", "title:x", "<script>alert(1)</script>", "x^y", "é"] {
                _ = try await found(hostile)
            }

            // A failed attempt's error is found while the job has it; a success clears it.
            let claimed = try await h.manager.claim(limit: 3, owner: nil).filter { $0.job?.id == plain.id }
            let (message, job) = (claimed[0].message, try #require(claimed[0].job))
            _ = try await m.end(message, .attempt(job, .failed("connection refused by peer", retryAfter: .zero)))
            #expect(try await found("refused") == [plain.id])
            #expect(try await m.listJobs(JobFilter(status: .pending, search: "refused")).map(\.id) == [plain.id])
            #expect(try await m.listJobs(JobFilter(status: .running, search: "refused")).isEmpty)
            let again = try await h.manager.claim(limit: 3, owner: nil).filter { $0.job?.id == plain.id }
            _ = try await m.end(again[0].message, .attempt(try #require(again[0].job), .succeeded(nil, effects: [])))
            #expect(try await found("refused") == [])

            // Pages of a search, and a deleted job leaves it.
            for i in 0..<5 { try await m.createJob(JobSpec(type: "crawl", config: ["note": .string("batch \(i) example")])) }
            let pages = try await Self.allPages(m, JobFilter(limit: 2, search: "example"))
            #expect(pages.map(\.count) == [2, 2, 2, 1])
            #expect(Set(pages.flatMap { $0 }).count == 7)
            try await m.deleteJob(crawl.id)
            #expect(try await !found("example").contains(crawl.id))
            await #expect(throws: QuaeroError.self) {
                try await m.listJobs(JobFilter(search: String(repeating: "x", count: JobFilter.maxSearchLength + 1)))
            }
        }
    }

    @Test("dead letters page newest first, by type; requeuing by type revives only those jobs; leases per pool; the store's size",
          arguments: StoreKind.available)
    func deadLettersAndLeases(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let m = h.manager
            try await m.createJobs((0..<5).map { i in JobSpec(type: i % 2 == 0 ? "even" : "odd") })
            let pool = try await m.registerPool(name: "test", heartbeat: .seconds(5))
            var dead: [String] = []
            for (message, job) in try await JobCountsTests.claim(h, 5) {
                h.clock.advance(by: .milliseconds(1))
                _ = try await m.end(message, .attempt(job, .unrecoverable("bad \(job.type.rawValue)")))
                dead.append(job.id)
            }
            let pages = try await Self.deadPages(h.queue, type: nil, limit: 2)
            #expect(pages.map(\.count) == [2, 2, 1])
            #expect(pages.flatMap { $0 }.compactMap(\.jobID) == dead.reversed(), "newest first")
            let odd = try await Self.deadPages(h.queue, type: "odd", limit: 10).flatMap { $0 }
            #expect(odd.map(\.type) == ["odd", "odd"])
            #expect(odd.allSatisfy { $0.error == "bad odd" && $0.received == 1 })

            #expect(try await m.requeueDeadLetters(ofType: "odd", chunk: 1) == 2)
            #expect(try await h.queue.deadLetters(type: "odd").isEmpty)
            #expect(try await h.queue.deadLetters(type: "even").count == 3)
            for letter in odd { #expect(try await m.getJob(letter.jobID!).status == .pending) }

            let leased = try await m.claim(limit: 1, owner: pool)
            #expect(leased.count == 1)
            #expect(try await m.leaseCounts() == [pool: 1])
            h.clock.advance(by: .seconds(31))
            #expect(try await m.leaseCounts() == [:], "an expired lease is no slot in use")
            #expect(try await m.storageSize().map { $0 > 0 } ?? true)
            await #expect(throws: QuaeroError.self) { try await h.queue.deadLetters(limit: 0) }
            #expect(DeadLetterCursor("12.34") == DeadLetterCursor(deadAt: 12, id: 34))
            #expect(DeadLetterCursor("12") == nil && DeadLetterCursor("a.b") == nil)
        }
    }

    /// Every page of dead letters of `type`.
    static func deadPages(_ queue: Queue, type: String?, limit: Int) async throws -> [[DeadLetter]] {
        var pages: [[DeadLetter]] = []
        var after: DeadLetterCursor?
        while true {
            let page = try await queue.deadLetters(type: type, after: after, limit: limit)
            guard let last = page.last else { return pages }
            pages.append(page)
            after = DeadLetterCursor(last)
        }
    }
}
