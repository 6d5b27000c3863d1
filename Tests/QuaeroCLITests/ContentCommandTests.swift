import Foundation
import QuaeroTestSupport
import Testing

/// `quaero crawl --wait`, `documents search`, `summarize --wait` and `cleanup --wait` end to end, against a
/// small static site served on 127.0.0.1 by Python's http.server (the machine's python3).
@Suite("CLI: crawl, documents, summarize, cleanup", .timeLimit(.minutes(1)))
struct ContentCommandTests {
    @Test func crawlSearchSummarizeAndCleanUp() async throws {
        try await withWorkspace { dir in
            let site = dir.url.appendingPathComponent("site")
            try FileManager.default.createDirectory(at: site.appendingPathComponent("docs"), withIntermediateDirectories: true)
            try write(site, "index.html", title: "Home", body: "Quaero keeps a queue in SQLite.", links: ["docs/a.html", "/docs/b.html#part"])
            try write(site, "docs/a.html", title: "Leases", body: "Leases and visibility timeouts keep work safe.", links: ["../index.html", "b.html"])
            try write(site, "docs/b.html", title: "Dead letters", body: "Dead letters are kept and can be requeued.", links: [])
            try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "the test site needs Debian's python3")
            let server = try BackgroundProcess("/usr/bin/python3", ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1"], in: site)
            defer { server.kill() }
            try #require(await waitUntil(timeout: .seconds(10)) { server.output().contains("Serving HTTP") },
                         "the test site did not start: \(server.output())")
            // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ...": the port the system chose.
            let port = try #require(server.output().components(separatedBy: " port ").dropFirst().first?
                .split(separator: " ").first.flatMap { Int($0) })

            let crawl = try dir.quaero("crawl", "http://127.0.0.1:\(port)/index.html", "--depth", "1", "--wait")
            #expect(crawl.status == 0, "\(crawl)")
            #expect(crawl.stdout.contains("completed: 3 pages stored, 0 failed"), "\(crawl)")

            let hits = try #require(try dir.quaeroJSON("documents", "search", "visibility", "--json") as? [[String: Any]])
            #expect(hits.map { $0["title"] as? String } == ["Leases"])
            #expect((hits.first?["snippet"] as? String)?.contains("[visibility]") == true)
            let bad = try dir.quaero("documents", "search", "AND OR")
            #expect(bad.status == 2, "\(bad)")

            let crawls = try #require(try dir.quaeroJSON("jobs", "list", "--type", "parent", "--json") as? [[String: Any]])
            let crawlID = try #require(crawls.first?["id"] as? String)
            let summarize = try dir.quaero("summarize", "--job", crawlID, "--wait")
            #expect(summarize.status == 0, "\(summarize)")
            #expect(summarize.stdout.contains("\"summarized\":3"), "\(summarize)")

            // Nothing is old enough yet: a cleanup deletes nothing, and the crawl is still there.
            let cleanup = try dir.quaero("cleanup", "--older-than", "1d", "--status", "completed", "--wait")
            #expect(cleanup.status == 0, "\(cleanup)")
            #expect(cleanup.stdout.contains("\"deleted_jobs\":0"), "\(cleanup)")
            #expect(try dir.quaero("jobs", "show", crawlID).status == 0)

            let malformed = try dir.quaero("crawl", "ftp://example.com/")
            #expect(malformed.status == 2)
            #expect(malformed.stderr.contains("urls[0]"))
            #expect(try dir.quaero("summarize").status == 2)
            #expect(try dir.quaero("cleanup", "--status", "sleeping").status == 2)
        }
    }

    private func write(_ site: URL, _ path: String, title: String, body: String, links: [String]) throws {
        let anchors = links.map { "<a href=\"\($0)\">\($0)</a>" }.joined(separator: " ")
        let html = "<html><head><title>\(title)</title></head><body><p>\(body)</p>\(anchors)</body></html>"
        try Data(html.utf8).write(to: site.appendingPathComponent(path))
    }
}
