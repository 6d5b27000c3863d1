import Foundation
import QuaeroTestSupport
import Testing

/// `quaero send`: the app's own job types from bodies in the original design's shapes, checked before
/// anything is stored; the printed id is the job's; bodies from a file or standard input.
@Suite("CLI: send", .timeLimit(.minutes(1)))
struct SendCommandTests {
    /// Issue 10: `send crawler_url` was dead-lettered ("parent_id is missing") and `send summarizer
    /// '{"job_id": ...}'` failed ("needs document_ids or job_id"). Sent into a crawl, both run.
    @Test("a crawl, a page of it and a summary of it are sent in the shapes a user writes, and run")
    func appTypesRun() async throws {
        try await withWorkspace { dir in
            let site = try await StaticSite(in: dir.url.appendingPathComponent("site"), pages: [
                "index.html": ("Home", "Bees make honey from nectar. Honey keeps for years.", []),
                "extra.html": ("Extra", "Rivers carry water to the sea. Dams hold water back.", []),
            ])
            defer { site.stop() }
            let crawl = try dir.quaero("send", "crawler", #"{"urls": ["\#(site.base)/index.html"], "max_depth": 0}"#)
            #expect(crawl.status == 0, "\(crawl)")
            let crawlID = crawl.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let page = try dir.quaero("send", "crawler_url", #"{"parent_id": "\#(crawlID)", "url": "\#(site.base)/extra.html", "depth": 1}"#)
            #expect(page.status == 0, "\(page)")
            #expect(page.stderr.isEmpty, "no note for a known type: \(page)")
            let pageJob = try #require(try dir.quaeroJSON("jobs", "show", page.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "--json") as? [String: Any])
            #expect(pageJob["parent_id"] as? String == crawlID)
            #expect(pageJob["type"] as? String == "crawler_url")

            let worker = try BackgroundQuaero(["worker"], in: dir.url, environment: ["QUAERO_QUEUE_POLL_INTERVAL": "100ms"])
            defer { worker.kill() }
            let crawled = try await waitUntil(timeout: .seconds(30), pollEvery: .milliseconds(100)) {
                (try dir.quaeroJSON("jobs", "show", crawlID, "--json") as? [String: Any])?["status"] as? String == "completed"
            }
            #expect(crawled, "worker output: \(worker.output())")
            let summary = try dir.quaero("send", "summarizer", #"{"job_id": "\#(crawlID)"}"#)
            #expect(summary.status == 0, "\(summary)")
            let summaryID = summary.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            var result: [String: Any]?
            let summarized = try await waitUntil(timeout: .seconds(30), pollEvery: .milliseconds(100)) {
                let job = try dir.quaeroJSON("jobs", "show", summaryID, "--json") as? [String: Any]
                result = job?["result"] as? [String: Any]
                return job?["status"] as? String == "completed"
            }
            #expect(summarized, "worker output: \(worker.output())")
            #expect(result?["summarized"] as? Int == 2, "both pages were stored and summarized: \(result ?? [:])")
            #expect(await worker.terminate() == 0)
        }
    }

    @Test("a body that cannot run exits 2 naming the field, and nothing is stored", arguments: [
        ("crawler_url", #"{"url": "https://example.com", "depth": 0}"#, "parent_id is missing"),
        ("crawler_url", #"{"parent_id": "01m834rx1c2f53x5sw4q9kmxym", "url": "https://example.com", "depth": 0}"#, "parent_id names no job"),
        ("summarizer", #"{"job_id": "01m834rx1c2f53x5sw4q9kmxym"}"#, "job_id names no job"),
        ("summarizer", "{}", "needs document_ids"),
        ("summarizer", #"{"document_ids": ["7"]}"#, "document_ids names no stored document"),
        ("summarizer", #"{"config": {"job_id": "a"}, "job_id": "b"}"#, "job_id is given both"),
        ("crawler", #"{"urls": []}"#, "urls is empty"),
        ("crawler", #"{"config": {"urls": ["ftp://example.com/"]}}"#, "urls[0]"),
        ("crawler", #"{"urls": ["https://example.com/"], "max_depth": 100000}"#, "max_depth"),
        ("cleanup", #"{"older_than": "0s"}"#, "older_than must be longer than 0s"),
        ("cleanup", #"{"colour": "blue"}"#, "colour is not a field of a cleanup job"),
        ("cleanup", #"{"config": 3}"#, "config must be a JSON object"),
    ])
    func refused(type: String, body: String, reason: String) async throws {
        try await withWorkspace { dir in
            let outcome = try dir.quaero("send", type, body)
            #expect(outcome.status == 2, "\(outcome)")
            #expect(outcome.stderr.contains(reason), "\(outcome)")
            #expect(outcome.stderr.split(separator: "\n").count == 1, "one line: \(outcome)")
            #expect((try dir.quaeroJSON("jobs", "list", "--json") as? [Any])?.isEmpty == true)
            #expect((try dir.quaeroJSON("queue", "stats", "--json") as? [String: Any])?["ready"] as? Int == 0)
        }
    }

    /// Issue 10: 1,976 sends printed 69 distinct ids, because the message's rowid is reused after a delete.
    @Test("send prints the job's id, which names one job forever, also after deletes")
    func printsTheJobID() async throws {
        try await withWorkspace { dir in
            var ids: [String] = []
            for _ in 0..<3 {
                let sent = try dir.quaero("send", "cleanup", #"{"older_than": "1d"}"#)
                #expect(sent.status == 0, "\(sent)")
                let id = sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(id.count == 26, "a job id: \(sent)")
                #expect(try dir.quaero("jobs", "show", id).status == 0)
                #expect(try dir.quaero("jobs", "delete", id).status == 0)
                ids.append(id)
            }
            #expect(Set(ids).count == 3, "\(ids)")
            let deduplicated = try dir.quaero("send", "cleanup", "{}", "--key", "k")
            #expect(try dir.quaero("send", "cleanup", "{}", "--key", "k").stdout == deduplicated.stdout, "a dedup key prints the queued job's id")
        }
    }

    @Test("the body comes from a file (@path) or standard input (-), also a 10 MB one")
    func bodyFromFileAndStdin() async throws {
        try await withWorkspace { dir in
            try Data(#"{"older_than": "2h", "status_filter": ["failed"]}"#.utf8).write(to: dir.url.appendingPathComponent("body.json"))
            let fromFile = try dir.quaero("send", "cleanup", "@body.json")
            #expect(fromFile.status == 0, "\(fromFile)")
            let job = try #require(try dir.quaeroJSON("jobs", "show", fromFile.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "--json") as? [String: Any])
            #expect((job["config"] as? [String: Any])?["older_than"] as? String == "2h")

            let big = String(repeating: "x", count: 10 * 1024 * 1024)
            let fromStdin = try QuaeroBinary.run(["send", "blob", "-"], in: dir.url, stdin: Data(#"{"data": "\#(big)"}"#.utf8))
            #expect(fromStdin.status == 0, "\(fromStdin.status) \(fromStdin.stderr)")
            let stored = try #require(try dir.quaeroJSON("jobs", "show", fromStdin.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "--json") as? [String: Any])
            #expect(((stored["fields"] as? [String: Any])?["data"] as? String)?.count == big.count)

            let missing = try dir.quaero("send", "cleanup", "@nope.json")
            #expect(missing.status == 2, "\(missing)")
            #expect(missing.stderr.contains("nope.json"), "\(missing)")
            let notJSON = try QuaeroBinary.run(["send", "cleanup", "-"], in: dir.url, stdin: Data("older than a day".utf8))
            #expect(notJSON.status == 2, "\(notJSON)")
        }
    }

    @Test("a type quaero does not run is stored for another program's worker, with a note naming quaero's types")
    func unknownType() async throws {
        try await withWorkspace { dir in
            let sent = try dir.quaero("send", "resize_image", #"{"path": "a.png", "config": {"width": 100}}"#)
            #expect(sent.status == 0, "\(sent)")
            #expect(sent.stderr.contains("note:") && sent.stderr.contains("crawler_url, summarizer, cleanup"), "\(sent)")
            let job = try #require(try dir.quaeroJSON("jobs", "show", sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "--json") as? [String: Any])
            #expect(job["type"] as? String == "resize_image")
            #expect((job["config"] as? [String: Any])?["width"] as? Int == 100)
            #expect((job["fields"] as? [String: Any])?["path"] as? String == "a.png")
        }
    }

    @Test("--delay: a negative one exits 2 saying so; a positive one delays the job")
    func delays() async throws {
        try await withWorkspace { dir in
            let negative = try dir.quaero("send", "cleanup", "{}", "--delay", "-5s")
            #expect(negative.status == 2, "\(negative)")
            #expect(negative.stderr.contains("'-5s' is negative"), "\(negative)")
            #expect(!negative.stderr.contains("Missing value"), "\(negative)")
            #expect(!FileManager.default.fileExists(atPath: dir.path("quaero.db")))
            #expect(try dir.quaero("send", "cleanup", "{}", "--delay", "1h").status == 0)
            #expect((try dir.quaeroJSON("queue", "stats", "--json") as? [String: Any])?["delayed"] as? Int == 1)
        }
    }
}
