import Foundation
import Hummingbird
import Quaero
@testable import QuaeroHTTP
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("HTTP API: queue and documents", .serialized, .timeLimit(.minutes(1)))
struct APIQueueAndDocumentTests {
    @Test("POST /api/queue/messages enqueues (202 with the id); stats count it; bad messages are 422")
    func messagesAndStats() async throws {
        try await withAPI { runtime, api in
            let sent = try await api.post("/api/queue/messages", #"{"type": "crawler_url", "body": {"url": "https://example.com/"}, "priority": 3, "delay_s": 60}"#)
            #expect(sent.status == .accepted, "\(sent.text)")
            #expect(sent.object["id"] as? Int != nil)
            let stats = try await api.get("/api/queue/stats")
            #expect(stats.status == .ok)
            #expect(stats.object["queue"] as? String == runtime.config.queue.queueName)
            #expect(stats.object["delayed"] as? Int == 1)
            for key in ["ready", "in_flight", "dead", "oldest_ready_age_s", "by_type"] {
                #expect(stats.object.keys.contains(key), "\(key)")
            }
            for body in [#"{"body": {}}"#, #"{"type": "x", "body": [1]}"#, #"{"type": "x", "body": {"id": "1"}}"#,
                         #"{"type": "x", "priority": 1.5}"#, #"{"type": "x", "delay_s": -1}"#, #"{"type": "x", "colour": 1}"#] {
                let answer = try await api.post("/api/queue/messages", body)
                #expect(answer.status == .unprocessableContent, "\(body): \(answer.text)")
                #expect(answer.errorCode == "invalid_message", "\(body)")
            }
            #expect(try await runtime.queueManager.length() == 1)
        }
    }

    @Test("dead letters are listed in their shape and requeued; an unknown or invalid id is 404 or 400")
    func deadLetters() async throws {
        try await withAPI { runtime, api in
            let queue = runtime.queueManager.queue
            _ = try await queue.send(Data(#"{"n": 1}"#.utf8), type: "probe")
            let received = try #require(try await queue.receive(limit: 1, owner: nil).first)
            try await queue.deadLetter(received.receipt, reason: "broken")
            let dead = try await api.get("/api/queue/dead")
            #expect(dead.status == .ok)
            let letter = try #require(dead.array.first)
            #expect(letter["error"] as? String == "broken")
            #expect((letter["body"] as? [String: Any])?["n"] as? Int == 1)
            let id = try #require(letter["id"] as? Int)
            let requeued = try await api.post("/api/queue/dead/\(id)/requeue")
            #expect(requeued.status == .ok)
            #expect(try await api.get("/api/queue/dead").array.isEmpty)
            #expect(try await api.post("/api/queue/dead/\(id)/requeue").status == .notFound)
            let invalid = try await api.post("/api/queue/dead/abc/requeue")
            #expect(invalid.status == .badRequest)
            #expect(invalid.errorMessage.contains("abc"))
        }
    }

    @Test("documents of a crawl and full-text search; a missing or unparsable query is 400")
    func documents() async throws {
        try await withAPI { runtime, api in
            let crawl = try await runtime.jobManager.createJob(JobSpec(type: .crawl, config: [:]))
            let store = runtime.documents
            _ = try await store.upsert(url: "https://example.com/a", title: "Aardvarks", text: "The aardvark digs burrows at night.", jobID: crawl.id)
            let listed = try await api.get("/api/jobs/\(crawl.id)/documents")
            #expect(listed.status == .ok)
            let document = try #require(listed.array.first)
            #expect(document["url"] as? String == "https://example.com/a")
            #expect(document["content_hash"] is String)
            #expect(document["text"] == nil)
            #expect(try await api.get("/api/jobs/\(crawl.id)/documents?text=true").array.first?["text"] as? String == "The aardvark digs burrows at night.")

            let hits = try await api.get("/api/documents?q=burrows")
            #expect(hits.status == .ok)
            #expect(hits.array.map { $0["title"] as? String } == ["Aardvarks"])
            #expect(try await api.get("/api/documents?q=zebra").array.isEmpty)
            #expect(try await api.get("/api/documents").status == .badRequest)
            #expect(try await api.get("/api/documents?q=%22unclosed").status == .badRequest)
        }
    }
}
