import Foundation
import QuaeroTestSupport
import Testing

/// `quaero crawl --wait`, `documents search`, `summarize --wait` and `cleanup --wait` end to end, against a
/// small static site served on 127.0.0.1 by Python's http.server (the machine's python3).
@Suite("CLI: crawl, documents, summarize, cleanup", .timeLimit(.minutes(1)))
struct ContentCommandTests {
    @Test func crawlSearchSummarizeAndCleanUp() async throws {
        try await withWorkspace { dir in
            let site = try await StaticSite(in: dir.url.appendingPathComponent("site"), pages: [
                "index.html": ("Home", "Quaero keeps a queue in SQLite.", ["docs/a.html", "/docs/b.html#part"]),
                "docs/a.html": ("Leases", "Leases and visibility timeouts keep work safe.", ["../index.html", "b.html"]),
                "docs/b.html": ("Dead letters", "Dead letters are kept and can be requeued.", []),
            ])
            defer { site.stop() }

            let crawl = try dir.quaero("crawl", site.base + "/index.html", "--depth", "1", "--wait")
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
}
