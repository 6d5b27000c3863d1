import Foundation
import Quaero
import QuaeroQueue
import QuaeroSQLite
import QuaeroTestSupport
import Testing

@Suite("Composition and API shapes")
struct QuaeroAppTests {
    @Test("openStore and the runtime use the configured path, synchronous, queue and leader_ttl; the scheduler fires under the leader's lease")
    func composition() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var config = QuaeroConfig()
        config.database.path = directory.path("app.db")
        config.database.synchronous = .full
        config.queue.queueName = "custom"
        config.queue.maxReceive = 7
        let store = try await QuaeroApp.openStore(config)
        config.queue.leaderTTL = .seconds(3)
        let runtime = try QuaeroRuntime(config: config, store: store)
        let manager = runtime.queueManager
        // One lease for the work done once across processes: the leader fires the schedules.
        #expect(runtime.leader.ttl == .seconds(3))
        #expect(runtime.scheduler.leadership.name == runtime.leader.name)
        #expect(runtime.scheduler.leadership.holder == runtime.leader.holder)
        #expect((store as? SQLiteStore)?.database.options.synchronous == .full)
        #expect(manager.queue.name == "custom")
        #expect(manager.queue.options.maxReceive == 7)
        try await manager.start()
        try await manager.enqueue(JobMessage(id: JobMessage.newID(), type: .cleanup))
        #expect(try await manager.length() == 1)
        await store.close()
        #expect(FileManager.default.fileExists(atPath: config.database.path))
    }

    @Test("queue stats JSON has the DESIGN §9 keys and by_type")
    func statsShape() async throws {
        try await withAppStore { database, _ in
            let queue = try Queue(name: "q", store: database)
            _ = try await queue.send(Data("{}".utf8), type: "crawler_url")
            let stats = try await queue.stats()
            let json = try JSONSerialization.jsonObject(with: APIJSON.encode(QueueStatsJSON(stats))) as! [String: Any]
            #expect(Set(json.keys) == ["queue", "ready", "delayed", "in_flight", "dead", "oldest_ready_age_s", "paused", "by_type"])
            #expect(json["ready"] as? Int == 1)
            let paused = try #require(json["paused"] as? [String: Any])
            #expect(paused["queue"] as? Bool == false)
            #expect(paused["types"] as? [String] == [])
            let byType = try #require(json["by_type"] as? [String: [String: Int]])
            #expect(byType["crawler_url"] == ["ready": 1, "delayed": 0, "in_flight": 0, "dead": 0])
        }
    }

    @Test("a dead letter's body is embedded when it is JSON, else a string; dead_at is RFC 3339")
    func deadLetterShape() async throws {
        try await withAppStore(clock: ManualClock(start: 1_700_000_000_123)) { database, _ in
            let queue = try Queue(name: "q", store: database)
            _ = try await queue.send(Data("{\"a\":1}".utf8), type: "t")
            _ = try await queue.send(Data("not json".utf8))
            for message in try await queue.receive(limit: 2) {
                try await queue.deadLetter(message.receipt, reason: message.type == nil ? "other" : "boom")
            }
            let letters = try await queue.deadLetters().map(DeadLetterJSON.init)
            let encoded = try JSONSerialization.jsonObject(with: APIJSON.encode(letters)) as! [[String: Any]]
            #expect(Set(encoded[0].keys) == ["id", "type", "body", "received", "error", "dead_at"])
            #expect((encoded[0]["body"] as? [String: Int]) == ["a": 1])
            #expect(encoded[0]["error"] as? String == "boom")
            #expect(encoded[0]["dead_at"] as? String == "2023-11-14T22:13:20.123Z")
            #expect(encoded[1]["body"] as? String == "not json")
            #expect(encoded[1]["type"] is NSNull)
        }
    }

    @Test("a send request takes a JSON object's members as fields and refuses anything else")
    func sendRequest() throws {
        let request = try SendRequest(type: "crawler_url", json: Data(#"{"url": "https://a.example", "depth": 1, "parent_id": "p1"}"#.utf8))
        #expect(request.message.type == .crawlerURL)
        #expect(request.message.parentID == "p1")
        #expect(request.message.fields == ["url": .string("https://a.example"), "depth": .number(1)])
        #expect(request.message.id.count == 26)
        for body in ["not json", "[1]", "3", #"{"id": "x"}"#, #"{"type": "x"}"#, #"{"parent_id": 3}"#] {
            #expect(throws: QuaeroError.self, "\(body)") { try SendRequest(type: "t", json: Data(body.utf8)) }
        }
        #expect(throws: QuaeroError.self) { try SendRequest(type: "", json: Data("{}".utf8)) }
    }
}
