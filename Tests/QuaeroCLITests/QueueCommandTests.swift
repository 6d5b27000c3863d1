import Foundation
import QuaeroQueue
import QuaeroSQLite
import QuaeroTestSupport
import Testing

@Suite("quaero migrate, send, queue and config")
struct QueueCommandTests {
    @Test("migrate creates ./quaero.db when neither --config nor --db is given and prints the schema version")
    func migrate() async throws {
        try await withWorkspace { dir in
            let outcome = try dir.quaero("migrate")
            #expect(outcome.status == 0, "\(outcome)")
            #expect(outcome.stdout.contains("./quaero.db: schema versions engine "), "\(outcome)")
            #expect(outcome.stdout.contains(", quaero "), "\(outcome)")
            #expect(FileManager.default.fileExists(atPath: dir.path("quaero.db")))
            // --db works before and after the subcommand.
            #expect(try dir.quaero("--db", "a.db", "migrate").status == 0)
            #expect(try dir.quaero("migrate", "--db", "b.db").status == 0)
            #expect(FileManager.default.fileExists(atPath: dir.path("a.db")))
            #expect(FileManager.default.fileExists(atPath: dir.path("b.db")))
            #expect(try dir.quaero("--db", "c.db", "queue", "stats").status == 0)
            #expect(FileManager.default.fileExists(atPath: dir.path("c.db")))
        }
    }

    @Test("send prints the job's id and queue stats --json counts its message")
    func sendThenStats() async throws {
        try await withWorkspace { dir in
            let sent = try dir.quaero("send", "crawler", #"{"urls": ["https://example.com"], "max_depth": 0}"#, "--db", "q.db")
            #expect(sent.status == 0, "\(sent)")
            let crawl = sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(crawl.count == 26, "a job id: \(sent)")
            let delayed = try dir.quaero("send", "summarizer", #"{"job_id": "\#(crawl)"}"#, "--db", "q.db", "--delay", "1h",
                                         "--priority", "5", "--key", "k")
            #expect(delayed.status == 0, "\(delayed)")

            let stats = try #require(try dir.quaeroJSON("queue", "stats", "--json", "--db", "q.db") as? [String: Any])
            #expect(stats["queue"] as? String == "quaero_jobs")
            #expect(stats["ready"] as? Int == 1)
            #expect(stats["delayed"] as? Int == 1)
            #expect(stats["in_flight"] as? Int == 0)
            #expect(stats["dead"] as? Int == 0)
            #expect(stats["oldest_ready_age_s"] is Double)
            let byType = try #require(stats["by_type"] as? [String: [String: Int]])
            #expect(byType["parent"]?["ready"] == 1)
            #expect(byType["summarizer"]?["delayed"] == 1)
        }
    }

    @Test("queue dead lists dead letters; requeue puts one back; purge --all-messages empties the queue")
    func deadLetters() async throws {
        try await withWorkspace { dir in
            let store = try SQLiteStore(path: dir.path("q.db"))
            let queue = try Queue(name: "quaero_jobs", store: store)
            _ = try await queue.send(Data(#"{"id": "j1", "type": "cleanup"}"#.utf8), type: "cleanup")
            _ = try await queue.send(Data("plain".utf8))
            for message in try await queue.receive(limit: 2) {
                try await queue.deadLetter(message.receipt, reason: "gave up")
            }
            await store.close()

            let dead = try #require(try dir.quaeroJSON("queue", "dead", "--json", "--db", "q.db") as? [[String: Any]])
            #expect(dead.count == 2)
            #expect(Set(dead[0].keys) == ["id", "type", "body", "received", "error", "dead_at"])
            #expect((dead[0]["body"] as? [String: String])?["id"] == "j1")
            #expect(dead[1]["body"] as? String == "plain")
            #expect(dead[0]["error"] as? String == "gave up")
            #expect((dead[0]["dead_at"] as? String)?.hasSuffix("Z") == true)

            let id = try #require(dead[0]["id"] as? Int)
            let requeued = try dir.quaero("queue", "requeue", "\(id)", "--db", "q.db")
            #expect(requeued.status == 0, "\(requeued)")
            var stats = try #require(try dir.quaeroJSON("queue", "stats", "--json", "--db", "q.db") as? [String: Any])
            #expect(stats["ready"] as? Int == 1)
            #expect(stats["dead"] as? Int == 1)

            // Dead letters younger than a day stay; without --older-than they go.
            #expect(try dir.quaero("queue", "purge", "--older-than", "1d", "--db", "q.db").stdout.contains("purged 0 dead letters"))
            let purged = try dir.quaero("queue", "purge", "--all-messages", "--db", "q.db")
            #expect(purged.stdout.contains("purged 1 dead letter and 1 live message"), "\(purged)")
            stats = try #require(try dir.quaeroJSON("queue", "stats", "--json", "--db", "q.db") as? [String: Any])
            #expect(stats["ready"] as? Int == 0)
            #expect(stats["dead"] as? Int == 0)

            let missing = try dir.quaero("queue", "requeue", "\(id)", "--db", "q.db")
            #expect(missing.status == 1, "\(missing)")
            #expect(missing.stderr.contains("not a dead letter"))
        }
    }

    @Test("config --json shows each value's source")
    func configSources() async throws {
        try await withWorkspace { dir in
            try Data("[queue]\nconcurrency = 2\n".utf8).write(to: URL(fileURLWithPath: dir.path("quaero.toml")))
            let outcome = try dir.quaero("config", "--json", "--db", "x.db", environment: ["QUAERO_QUEUE_MAX_RECEIVE": "4"])
            #expect(outcome.status == 0, "\(outcome)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
            let settings = try #require(json["settings"] as? [[String: Any]])
            let byKey = Dictionary(uniqueKeysWithValues: settings.map { ($0["key"] as! String, $0) })
            #expect(byKey["database.path"]?["value"] as? String == "x.db")
            #expect(byKey["database.path"]?["source"] as? String == "flag --db")
            #expect(byKey["queue.max_receive"]?["value"] as? Int == 4)
            #expect(byKey["queue.max_receive"]?["source"] as? String == "environment variable QUAERO_QUEUE_MAX_RECEIVE")
            #expect((byKey["queue.concurrency"]?["source"] as? String)?.hasSuffix("quaero.toml:2") == true)
            #expect(byKey["queue.poll_interval"]?["source"] as? String == "default")
            #expect(byKey["queue.poll_interval"]?["env"] as? String == "QUAERO_QUEUE_POLL_INTERVAL")

            let text = try dir.quaero("config")
            #expect(text.stdout.contains("queue.concurrency = 2"), "\(text)")
        }
    }
}
