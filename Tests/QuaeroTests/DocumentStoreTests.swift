import Foundation
@testable import Quaero
import QuaeroQueue
import QuaeroTestSupport
import QuaeroSQLite
import Testing

@Suite("Documents: upsert by URL, listing, summaries, full-text search")
struct DocumentStoreTests {
    @Test("a new URL is inserted with the clock's time and its content hash")
    func insert() async throws {
        try await withDocuments { store, clock in
            try await insertJob("crawl-a", into: store.store)
            let result = try await store.upsert(url: "https://example.com/", title: "Home", text: "Welcome home.", jobID: "crawl-a")
            #expect(result.outcome == .inserted)
            let document = try #require(try await store.document(id: result.id))
            #expect(document == Document(id: result.id, url: "https://example.com/", title: "Home", text: "Welcome home.",
                                         contentHash: DocumentStore.contentHash(title: "Home", text: "Welcome home."),
                                         summary: nil, crawledAt: clock.nowMillis(), jobID: "crawl-a"))
            #expect(try await store.document(url: "https://example.com/") == document)
            #expect(try await store.document(url: "https://example.com/other") == nil)
            #expect(try await store.document(id: result.id + 1) == nil)
        }
    }

    @Test("recrawling a URL updates its row: same id, no duplicate, summary cleared only when the content changed")
    func recrawl() async throws {
        try await withDocuments { store, clock in
            try await insertJob("crawl-a", into: store.store)
            try await insertJob("crawl-b", into: store.store)
            let first = try await store.upsert(url: "https://example.com/a", title: "A", text: "apples and pears", jobID: "crawl-a")
            try await store.setSummary("About apples.", forDocument: first.id)

            clock.advance(by: .seconds(60))
            let same = try await store.upsert(url: "https://example.com/a", title: "A", text: "apples and pears", jobID: "crawl-b")
            #expect(same == DocumentUpsert(id: first.id, outcome: .unchanged, contentHash: first.contentHash))
            var document = try #require(try await store.document(id: first.id))
            #expect(document.summary == "About apples.")
            #expect(document.jobID == "crawl-b")
            #expect(document.crawledAt == clock.nowMillis())

            let changed = try await store.upsert(url: "https://example.com/a", title: "A", text: "cherries only", jobID: "crawl-b")
            #expect(changed.id == first.id)
            #expect(changed.outcome == .updated)
            #expect(changed.contentHash != first.contentHash)
            document = try #require(try await store.document(id: first.id))
            #expect(document.text == "cherries only")
            #expect(document.summary == nil)
            #expect(try await store.count() == 1)
            // The index followed the update: the old words are gone, the new ones found.
            #expect(try await store.search("apples").isEmpty)
            #expect(try await store.search("cherries").map(\.id) == [first.id])
            try await checkIndex(store.store)
        }
    }

    /// The hash comes from swift-crypto; these are the values the hand-written SHA-256 gave (and Python's
    /// hashlib gives), so stored hashes stay valid.
    @Test("the content hash is SHA-256 of title, a zero byte and text, as before")
    func contentHash() {
        #expect(DocumentStore.contentHash(title: "ab", text: "c") == "6c032e631d39a14d85aff7e319546af701e26c97b57ca95fbfe9c6ba855f67bf")
        #expect(DocumentStore.contentHash(title: "", text: "") == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        #expect(DocumentStore.contentHash(title: "Bees", text: "Bees make honey. Ünïcode ✓")
                == "f4e613e03dc6608cbc70328f1bb27ed3a98bd717b1ee2d72dd24f47066f68161")
        #expect(DocumentStore.contentHash(title: "ab", text: "c") != DocumentStore.contentHash(title: "a", text: "bc"))
    }

    @Test("documents of a crawl are listed oldest first, paged, with text only on request")
    func listByJob() async throws {
        try await withDocuments { store, _ in
            try await insertJob("crawl-a", into: store.store)
            try await insertJob("crawl-b", into: store.store)
            var ids: [Int64] = []
            for i in 0..<5 {
                ids.append(try await store.upsert(url: "https://example.com/\(i)", title: "Page \(i)", text: "text \(i)", jobID: "crawl-a").id)
            }
            try await store.upsert(url: "https://other.example/", title: "Other", text: "other", jobID: "crawl-b")
            try await store.upsert(url: "https://none.example/", title: "None", text: "none", jobID: nil)

            let all = try await store.documents(ofJob: "crawl-a")
            #expect(all.map(\.id) == ids)
            #expect(all.allSatisfy { $0.text == nil })
            #expect(try await store.documents(ofJob: "crawl-a", limit: 2, offset: 1).map(\.id) == Array(ids[1...2]))
            #expect(try await store.documents(ofJob: "crawl-a", limit: 1, includeText: true).first?.text == "text 0")
            #expect(try await store.documents(ofJob: "crawl-c").isEmpty)
            #expect(try await store.count(ofJob: "crawl-a") == 5)
            #expect(try await store.count() == 7)

            let badLimit = await #expect(throws: QuaeroError.self) { try await store.documents(ofJob: "crawl-a", limit: 0) }
            #expect(badLimit?.code == .invalidArgument)
            #expect(badLimit?.message.contains("limit") == true)
            let badOffset = await #expect(throws: QuaeroError.self) { try await store.documents(ofJob: "crawl-a", offset: -1) }
            #expect(badOffset?.message.contains("offset") == true)
        }
    }

    @Test("listing a crawl's documents uses the job index")
    func listQueryPlan() async throws {
        try await withDocuments { store, _ in
            let plan = try await (store.store as! SQLiteStore).database.read { connection in
                try connection.query("EXPLAIN QUERY PLAN SELECT id, url, title, text FROM documents WHERE job_id = ? AND summary IS NULL ORDER BY id LIMIT 10", ["x"]) { $0.text(3) }
            }
            #expect(plan.joined().contains("USING INDEX documents_job"))
            #expect(!plan.joined().contains("TEMP B-TREE"))
        }
    }

    @Test("a document for an unknown job or with an empty URL is refused with a clear error")
    func badUpserts() async throws {
        try await withDocuments { store, _ in
            let unknownJob = await #expect(throws: QuaeroError.self) {
                try await store.upsert(url: "https://example.com/", title: "", text: "", jobID: "no-such-job")
            }
            #expect(unknownJob?.code == .invalidArgument)
            #expect(unknownJob?.message.contains("no-such-job") == true)
            let emptyURL = await #expect(throws: QuaeroError.self) { try await store.upsert(url: "", title: "", text: "", jobID: nil) }
            #expect(emptyURL?.code == .invalidArgument)
            let stored = try await store.count()
            #expect(stored == 0)
        }
    }

    @Test("deleting the crawl keeps its documents and clears their job id")
    func jobDeletion() async throws {
        try await withDocuments { store, _ in
            try await insertJob("crawl-a", into: store.store)
            let id = try await store.upsert(url: "https://example.com/", title: "T", text: "t", jobID: "crawl-a").id
            try await store.store.write { tx in try await tx.deleteJob("crawl-a") }
            #expect(try await store.document(id: id)?.jobID == nil)
        }
    }

    @Test("unsummarized lists a crawl's documents without a summary; setSummary respects the content hash")
    func summaries() async throws {
        try await withDocuments { store, _ in
            try await insertJob("crawl-a", into: store.store)
            let a = try await store.upsert(url: "https://example.com/a", title: "A", text: "alpha", jobID: "crawl-a")
            let b = try await store.upsert(url: "https://example.com/b", title: "B", text: "beta", jobID: "crawl-a")
            #expect(try await store.unsummarized(ofJob: "crawl-a").map(\.id) == [a.id, b.id])
            #expect(try await store.unsummarized(ofJob: "crawl-a").first?.text == "alpha")
            #expect(try await store.unsummarized(ofJob: "crawl-a", after: a.id).map(\.id) == [b.id])
            #expect(try await store.unsummarized(ofJob: "crawl-a", limit: 1).map(\.id) == [a.id])
            #expect(try await store.unsummarizedCount(ofJob: "crawl-a") == 2)

            #expect(try await store.setSummary("Alpha.", forDocument: a.id, contentHash: a.contentHash))
            #expect(try await store.unsummarized(ofJob: "crawl-a").map(\.id) == [b.id])

            // The page changed after the summarizer read it: its stale summary is not stored.
            try await store.upsert(url: "https://example.com/b", title: "B", text: "gamma", jobID: "crawl-a")
            #expect(try await store.setSummary("Beta.", forDocument: b.id, contentHash: b.contentHash) == false)
            #expect(try await store.document(id: b.id)?.summary == nil)

            let missing = await #expect(throws: QuaeroError.self) { try await store.setSummary("x", forDocument: 999) }
            #expect(missing?.code == .notFound)
            #expect(missing?.message.contains("999") == true)
        }
    }

    /// Runs `body` with a store over a fresh database whose clock is manual.
    private func withDocuments(_ body: (DocumentStore, ManualClock) async throws -> Void) async throws {
        let clock = ManualClock()
        try await withAppStore(clock: clock) { database, _ in
            try await body(try DocumentStore(store: database, clock: clock), clock)
        }
    }
}

/// Adds a bare crawl job record, for documents to point at.
func insertJob(_ id: String, into store: any QuaeroStore) async throws {
    try await store.write { tx in
        _ = try await tx.insertJob(NewJobRecord(id: id, parentID: nil, type: "crawler", config: [:], fields: [:], messageID: 0,
                                                failOnChildFailure: true))
    }
}

/// FTS5's own check that the index matches the documents table exactly.
func checkIndex(_ store: any QuaeroStore) async throws {
    try await (store as! SQLiteStore).database.write { try $0.execute("INSERT INTO documents_fts (documents_fts) VALUES ('integrity-check')") }
}
