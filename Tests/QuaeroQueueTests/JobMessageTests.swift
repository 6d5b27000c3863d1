import Foundation
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("JobMessage shapes")
struct JobMessageTests {
    /// Each type's message encodes to the original design's JSON and decodes back unchanged.
    @Test func shapesOfTheOriginalDesign() throws {
        let cases: [(JobMessage, String)] = [
            (.parent(id: "p", sourceType: "web", entityType: "page", config: ["max_depth": .number(2)]),
             #"{"config":{"max_depth":2},"entity_type":"page","id":"p","parent_id":null,"source_type":"web","type":"parent"}"#),
            (.crawlerURL(id: "c", parentID: "p", url: "https://example.com/a", depth: 1),
             #"{"config":{},"depth":1,"id":"c","parent_id":"p","type":"crawler_url","url":"https://example.com/a"}"#),
            (.summarizer(id: "s", documentIDs: ["d1", "d2"]),
             #"{"config":{"document_ids":["d1","d2"]},"id":"s","parent_id":null,"type":"summarizer"}"#),
            (.cleanup(id: "k", ageThresholdDays: 30, statusFilter: ["completed", "failed"]),
             #"{"config":{"age_threshold_days":30,"status_filter":["completed","failed"]},"id":"k","parent_id":null,"type":"cleanup"}"#),
        ]
        for (message, json) in cases {
            #expect(String(decoding: try message.encoded(), as: UTF8.self) == json)
            #expect(try JobMessage.decode(Data(json.utf8)) == message)
        }
    }

    @Test func aBodyThatIsNotAJobMessageIsRefusedWithTheReason() throws {
        for (body, reason) in [("not json", "not a job message"), (#"{"type": "x"}"#, "missing key id"), (#"{"id": 5, "type": "x"}"#, "id")] {
            let error = #expect(throws: QuaeroError.self) { _ = try JobMessage.decode(Data(body.utf8)) }
            #expect(error?.code == .decoding)
            #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
        }
    }

    @Test func queueManagerRoundTripsJobMessages() async throws {
        try await withStore(.sqliteMemory) { store in
            let manager = try QueueManager(store: store, queueName: "typed")
            await #expect(throws: QuaeroError.self) { try await manager.enqueue(.summarizer(documentIDs: [])) }
            try await manager.start()
            let sent = JobMessage.crawlerURL(parentID: "p", url: "https://example.com", depth: 0)
            try await manager.enqueue(sent, priority: 3)
            #expect(try await manager.length() == 1)
            #expect(try await manager.stats().byType["crawler_url"]?.ready == 1)
            let received = try #require(try await manager.queue.receive().first)
            #expect(try JobMessage.decode(received.body) == sent)
            #expect(received.type == "crawler_url")
            await manager.stop()
            await #expect(throws: QuaeroError.self) { try await manager.enqueue(sent) }
        }
    }
}
