import Foundation
import Quaero
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("Documents: API JSON shapes")
struct DocumentJSONTests {
    @Test("a document has the DESIGN §9 keys, null summary, RFC 3339 time, text only when loaded")
    func documentShape() async throws {
        try await withAppStore { database, _ in
            let store = try DocumentStore(store: database, clock: ManualClock(start: 1_767_225_600_000))
            try await insertJob("crawl-a", into: database)
            let id = try await store.upsert(url: "https://example.com/", title: "Home", text: "Welcome.", jobID: "crawl-a").id
            let full = try #require(try await store.document(id: id))
            let object = try JSONSerialization.jsonObject(with: APIJSON.encode(DocumentJSON(full))) as! [String: Any]
            #expect(Set(object.keys) == ["id", "url", "title", "content_hash", "summary", "crawled_at", "job_id", "text"])
            #expect(object["summary"] is NSNull)
            #expect(object["crawled_at"] as? String == "2026-01-01T00:00:00.000Z")
            #expect(object["text"] as? String == "Welcome.")
            #expect(object["content_hash"] as? String == full.contentHash)

            try await store.setSummary("S", forDocument: id)
            let listed = try #require(try await store.documents(ofJob: "crawl-a").first)
            let short = try JSONSerialization.jsonObject(with: APIJSON.encode(DocumentJSON(listed))) as! [String: Any]
            #expect(short["text"] == nil)
            #expect(short["summary"] as? String == "S")
            #expect(short["job_id"] as? String == "crawl-a")
        }
    }

    @Test("a search hit has id, url, title, snippet, score, job_id and crawled_at")
    func hitShape() async throws {
        try await withAppStore { database, _ in
            let store = try DocumentStore(store: database)
            try await store.upsert(url: "https://example.com/", title: "Bees", text: "Bees make honey.", jobID: nil)
            let hit = try #require(try await store.search("honey").first)
            let object = try JSONSerialization.jsonObject(with: APIJSON.encode(DocumentSearchHitJSON(hit))) as! [String: Any]
            #expect(Set(object.keys) == ["id", "url", "title", "snippet", "score", "job_id", "crawled_at"])
            #expect(object["snippet"] as? String == "Bees make [honey].")
            #expect((object["score"] as? Double ?? 0) > 0)
        }
    }
}
