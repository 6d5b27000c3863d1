import Foundation
import QuaeroTestSupport
import Testing

/// Issue 10: `crawl --wait` of a closed port, a 404 seed or a server that never answers exited 0 and said
/// "completed". A crawl in which every page failed ends failed, exits 1 and lists the failed URLs.
@Suite("CLI: a crawl in which every page failed", .timeLimit(.minutes(2)))
struct CrawlFailureTests {
    /// Short timeouts and backoffs, so that retried failures end within seconds.
    static let quick = ["QUAERO_CRAWLER_REQUEST_TIMEOUT": "500ms", "QUAERO_QUEUE_BACKOFF_BASE": "50ms",
                        "QUAERO_QUEUE_BACKOFF_MAX": "100ms", "QUAERO_QUEUE_POLL_INTERVAL": "50ms"]

    enum Seed: String, CaseIterable { case closedPort, notFound, silent }

    @Test("crawl --wait exits 1, says failed, and lists the URL with its reason", arguments: Seed.allCases)
    func everyPageFailed(seed: Seed) async throws {
        try await withWorkspace { dir in
            let url: String
            let reason: String
            var stop: () -> Void = {}
            switch seed {
            case .closedPort:
                let server = try await SilentServer(in: dir.url)
                server.stop()  // nothing listens on its port any more
                (url, reason) = (server.base + "/", "cannot fetch")
            case .notFound:
                let site = try await StaticSite(in: dir.url.appendingPathComponent("site"), pages: [:])
                stop = site.stop
                (url, reason) = (site.base + "/missing.html", "answered 404")
            case .silent:
                let server = try await SilentServer(in: dir.url)
                stop = server.stop
                (url, reason) = (server.base + "/", "took longer than 500ms")
            }
            defer { stop() }
            let crawl = try dir.quaero("crawl", url, "--depth", "0", "--wait", environment: Self.quick)
            #expect(crawl.status == 1, "\(crawl)")
            #expect(crawl.stdout.contains("failed: 0 pages stored, 1 failed"), "\(crawl)")
            #expect(!crawl.stdout.contains("completed"), "\(crawl)")
            let listed = crawl.stdout.split(separator: "\n").drop { $0 != "failed pages:" }.dropFirst()
            #expect(listed.count == 1, "\(crawl)")
            #expect(listed.first?.hasPrefix("  \(url): ") == true && listed.first?.contains(reason) == true, "\(crawl)")
        }
    }

    @Test("a crawl with some failed pages completes, lists the first 10 failures and counts the rest")
    func someFailures() async throws {
        try await withWorkspace { dir in
            let links = (0..<12).map { "missing-\($0).html" }
            let site = try await StaticSite(in: dir.url.appendingPathComponent("site"), pages: ["index.html": ("Home", "Links to nowhere.", links)])
            defer { site.stop() }
            let crawl = try dir.quaero("crawl", site.base + "/index.html", "--depth", "1", "--wait", environment: Self.quick)
            #expect(crawl.status == 0, "\(crawl)")
            #expect(crawl.stdout.contains("completed: 1 pages stored, 12 failed"), "\(crawl)")
            let listed = crawl.stdout.split(separator: "\n").drop { $0 != "failed pages:" }.dropFirst()
            #expect(listed.filter { $0.contains("answered 404") }.count == 10, "\(crawl)")
            #expect(listed.last?.hasPrefix("  and 2 more: quaero jobs list --parent ") == true, "\(crawl)")
        }
    }
}
