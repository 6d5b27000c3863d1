import Foundation
import Quaero
import QuaeroQueue
import QuaeroTestSupport
import QuaeroSQLite
import Testing

@Suite("Documents: FTS5 search")
struct DocumentSearchTests {
    @Test("bm25 ranks a title match above a text match; snippets mark the words")
    func ranking() async throws {
        try await withAppStore { database, _ in
            let store = try DocumentStore(store: database)
            let inText = try await store.upsert(url: "https://example.com/1", title: "Gardening",
                                                text: "Tomatoes need sun. Water the tomatoes in the morning.", jobID: nil)
            let inTitle = try await store.upsert(url: "https://example.com/2", title: "Tomatoes",
                                                 text: "A guide for growing tomatoes at home.", jobID: nil)
            try await store.upsert(url: "https://example.com/3", title: "Cars", text: "Engines and wheels.", jobID: nil)

            let hits = try await store.search("tomatoes")
            #expect(hits.map(\.id) == [inTitle.id, inText.id])
            #expect(hits[0].score > hits[1].score)
            #expect(hits[0].snippet == "A guide for growing [tomatoes] at home.")
            #expect(hits[0].url == "https://example.com/2")
            #expect(hits[0].title == "Tomatoes")

            let custom = try await store.search("engines", marks: ("<b>", "</b>"))
            #expect(custom.map(\.snippet) == ["<b>Engines</b> and wheels."])
            #expect(try await store.search("tomatoes", limit: 1).count == 1)
        }
    }

    @Test("FTS5 syntax works: phrases, OR, NOT, prefixes, column filters, stemming and diacritics")
    func syntax() async throws {
        try await withAppStore { database, _ in
            let store = try DocumentStore(store: database)
            let a = try await store.upsert(url: "https://example.com/a", title: "Crawling the web", text: "A crawler visits pages.", jobID: nil)
            let b = try await store.upsert(url: "https://example.com/b", title: "Café guide", text: "Coffee near the web office.", jobID: nil)
            #expect(try await store.search("crawl").map(\.id) == [a.id])
            #expect(try await store.search("cafe").map(\.id) == [b.id])
            #expect(try await store.search("\"visits pages\"").map(\.id) == [a.id])
            #expect(try await store.search("\"pages visits\"").isEmpty)
            #expect(Set(try await store.search("coffee OR crawler").map(\.id)) == [a.id, b.id])
            #expect(try await store.search("web NOT coffee").map(\.id) == [a.id])
            #expect(try await store.search("off*").map(\.id) == [b.id])
            #expect(try await store.search("title: web").map(\.id) == [a.id])
        }
    }

    @Test("search can be limited to one crawl")
    func byJob() async throws {
        try await withAppStore { database, _ in
            let store = try DocumentStore(store: database)
            try await insertJob("crawl-a", into: database)
            try await insertJob("crawl-b", into: database)
            let a = try await store.upsert(url: "https://a.example/", title: "Rivers", text: "water", jobID: "crawl-a")
            let b = try await store.upsert(url: "https://b.example/", title: "Lakes", text: "water", jobID: "crawl-b")
            #expect(Set(try await store.search("water").map(\.id)) == [a.id, b.id])
            #expect(try await store.search("water", jobID: "crawl-b").map(\.id) == [b.id])
            #expect(try await store.search("water", jobID: "crawl-b").first?.jobID == "crawl-b")
        }
    }

    @Test("a query FTS5 cannot parse is a clear invalid-argument error, not a crash", arguments: [
        "\"unbalanced", "AND", "title:", "nosuchcolumn: word", "(open", "a NEAR(", "*",
    ])
    func badQuery(query: String) async throws {
        try await withAppStore { database, _ in
            let store = try DocumentStore(store: database)
            try await store.upsert(url: "https://example.com/", title: "Title", text: "text", jobID: nil)
            let error = await #expect(throws: QuaeroError.self) { try await store.search(query) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("the search query \"\(query)\" is not valid FTS5 syntax") == true)
            #expect(error?.message.contains("double quotes") == true)
            // The store still works afterwards.
            #expect(try await store.search("title").count == 1)
        }
    }

    @Test("an empty query or a zero limit is refused")
    func emptyQuery() async throws {
        try await withAppStore { database, _ in
            let store = try DocumentStore(store: database)
            for query in ["", "   "] {
                let error = await #expect(throws: QuaeroError.self) { try await store.search(query) }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message.contains("empty") == true)
            }
            let error = await #expect(throws: QuaeroError.self) { try await store.search("word", limit: 0) }
            #expect(error?.message.contains("limit") == true)
        }
    }

    @Test("the index stays in step with the table through inserts, updates, summaries and deletes")
    func indexSync() async throws {
        try await withAppStore { database, _ in
            let store = try DocumentStore(store: database)
            var ids: [Int64] = []
            for i in 0..<20 {
                ids.append(try await store.upsert(url: "https://example.com/\(i)", title: "Page \(i)", text: "word\(i) shared", jobID: nil).id)
            }
            for i in stride(from: 0, to: 20, by: 3) {
                try await store.upsert(url: "https://example.com/\(i)", title: "Page \(i)", text: "changed\(i) shared", jobID: nil)
            }
            try await store.setSummary("s", forDocument: ids[1])
            let deleted = [ids[2], ids[3]]
            try await database.database.write { try $0.execute("DELETE FROM documents WHERE id IN (?, ?)", deleted) }
            try await checkIndex(database)
            #expect(try await store.search("shared", limit: 100).count == 18)
            #expect(try await store.search("word3").isEmpty)
            #expect(try await store.search("word0").isEmpty)
            #expect(try await store.search("changed0").map(\.id) == [ids[0]])
        }
    }
}
