import Foundation
import QuaeroTestSupport
import Testing

/// A crawl run by 3 `quaero worker` processes on one database, of a local site that counts its requests, on
/// every store several processes can share (a SQLite file; PostgreSQL when the run has a server, issue 12):
/// every page is fetched and stored once, the crawler's per-host limits hold across the processes (they live
/// in the store's claim, not in each process's memory), robots.txt is fetched once, and a pause holds in every
/// process (issue 14).
@Suite("CLI: per-host limits and pauses across 3 worker processes", .serialized, .timeLimit(.minutes(2)))
struct HostLimitProcessesTests {
    static let pages = 30

    @Test("per_host_concurrency = 2: every page fetched and stored once; the site never sees more than 2 requests at once; robots.txt is fetched once",
          arguments: StoreKind.shared)
    func concurrency(_ kind: StoreKind) async throws {
        try await withWorkspace(kind) { dir, database in
            let stats = try await crawl(in: dir, database: database, delayMs: 100, crawler: "per_host_concurrency = 2")
            #expect(stats.pageStarts.count == Self.pages + 1, "every page once: \(stats)")
            #expect(stats.maxInFlight <= 2, "\(stats)")
            #expect(stats.maxInFlight == 2, "the workers ran the host's pages two at a time: \(stats)")
            #expect(stats.robots == 1, "\(stats)")
        }
    }

    @Test("per_host_rate = \"10/s\": the pages start at 10 a second (within 10 %) across the processes", arguments: StoreKind.shared)
    func rate(_ kind: StoreKind) async throws {
        try await withWorkspace(kind) { dir, database in
            let stats = try await crawl(in: dir, database: database, delayMs: 5, crawler: "per_host_concurrency = 10\nper_host_rate = \"10/s\"")
            #expect(stats.pageStarts.count == Self.pages + 1, "\(stats)")
            // From the first linked page on: before it, the seed's job stores the seed and creates its 30
            // children in one transaction (on PostgreSQL about 150 ms of round trips in a debug build, measured
            // here; microseconds on SQLite), time in which no page is due and no limit acts.
            let starts = stats.pageStarts.sorted().dropFirst()
            let rate = Double(starts.count - 1) / (starts.last! - starts.first!)
            #expect(abs(rate - 10) <= 1, "\(rate) starts a second: \(stats)")
            #expect(stats.robots == 1, "\(stats)")
        }
    }

    @Test("queue pause mid-crawl with 3 workers: no page starts once the pause is visible; resume finishes the crawl",
          arguments: StoreKind.shared)
    func pauseMidCrawl(_ kind: StoreKind) async throws {
        try await withWorkspace(kind) { dir, database in
            let site = try await CountingSite(in: dir.url, pages: Self.pages, delayMs: 200)
            defer { site.stop() }
            let (workers, crawlID) = try await startCrawl(in: dir, database: database, site: site, crawler: "per_host_concurrency = 6")
            defer { for worker in workers { worker.kill() } }
            #expect(await waitUntil(timeout: .seconds(30)) { ((try? site.stats())?.pageStarts.count ?? 0) >= 5 })
            #expect(try dir.quaero("queue", "pause").status == 0)
            let pausedAt = Date()
            // What runs finishes; then nothing is in flight, and pages are left.
            #expect(await waitUntil(timeout: .seconds(20), pollEvery: .milliseconds(100)) {
                ((try? dir.quaeroJSON("queue", "stats", "--json")) as? [String: Any])?["in_flight"] as? Int == 0
            })
            let pages = try #require(try dir.quaeroJSON("jobs", "list", "--type", "crawler_url", "--limit", "100", "--json") as? [[String: Any]])
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let starts = pages.compactMap { ($0["started_at"] as? String).flatMap(formatter.date(from:)) }
            // Another process sees the pause within QueuePause.staleness (50 ms); a claim that read it just before
            // then started its jobs by then: a page starting later was claimed after the pause was visible.
            let late = starts.filter { $0 > pausedAt.addingTimeInterval(0.25) }
            #expect(late.isEmpty, "\(late.count) pages started after the pause: \(late) vs \(pausedAt)")
            let held = pages.filter { $0["status"] as? String == "pending" }.count
            #expect(held > 0, "the pause held pages back")
            #expect(try site.stats().pageStarts.count < Self.pages + 1)

            #expect(try dir.quaero("queue", "resume").status == 0)
            try await expectCompleted(crawlID, in: dir, workers: workers)
            #expect(try site.stats().pageStarts.count == Self.pages + 1)
        }
    }

    /// What the site saw.
    struct SiteStats: CustomStringConvertible {
        let maxInFlight: Int
        let robots: Int
        /// Seconds (monotonic) at which each page request arrived.
        let pageStarts: [Double]

        var description: String { "max in flight \(maxInFlight), robots.txt \(robots), \(pageStarts.count) pages" }
    }

    /// Starts the site and 3 workers on `database` with `[crawler]` settings `crawler`, crawls the site to
    /// depth 1 and returns what the site saw once the crawl completed.
    private func crawl(in dir: TemporaryDirectory, database: String, delayMs: Int, crawler: String) async throws -> SiteStats {
        let site = try await CountingSite(in: dir.url, pages: Self.pages, delayMs: delayMs)
        defer { site.stop() }
        let (workers, crawlID) = try await startCrawl(in: dir, database: database, site: site, crawler: crawler)
        defer { for worker in workers { worker.kill() } }
        try await expectCompleted(crawlID, in: dir, workers: workers)
        for worker in workers { #expect(await worker.terminate() == 0, "\(worker.output().suffix(2000))") }
        return try site.stats()
    }

    /// Writes the configuration (`database.path` = `database`, `[crawler]` settings `crawler`), starts 3
    /// workers and a crawl of `site` to depth 1; returns the workers and the crawl's id.
    private func startCrawl(in dir: TemporaryDirectory, database: String, site: CountingSite,
                            crawler: String) async throws -> ([BackgroundQuaero], String) {
        try Data("""
            [database]
            path = "\(database)"

            [queue]
            poll_interval = "50ms"
            concurrency = 4

            [crawler]
            \(crawler)
            """.utf8).write(to: dir.url.appendingPathComponent("quaero.toml"))
        #expect(try dir.quaero("migrate").status == 0)
        let workers = try (0..<3).map { _ in try BackgroundQuaero(["worker"], in: dir.url) }
        let started = try dir.quaero("crawl", site.base + "/", "--depth", "1")
        #expect(started.status == 0, "\(started)")
        return (workers, started.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Waits for crawl `crawlID` to end, expecting it completed with every page of the site stored once.
    private func expectCompleted(_ crawlID: String, in dir: TemporaryDirectory, workers: [BackgroundQuaero]) async throws {
        var status = ""
        let ended = await waitUntil(timeout: .seconds(60), pollEvery: .milliseconds(200)) {
            let shown = try? dir.quaeroJSON("jobs", "show", crawlID, "--json") as? [String: Any]
            status = shown?["status"] as? String ?? ""
            return ["completed", "failed", "cancelled"].contains(status)
        }
        #expect(ended && status == "completed", "crawl \(crawlID): \(status); \(workers.map { $0.output().suffix(2000) })")
        // Every page of the site (each carries the word the search finds), one document each.
        let documents = try #require(try dir.quaeroJSON("documents", "search", CountingSite.word, "--job", crawlID, "--limit", "1000", "--json")
            as? [[String: Any]])
        let urls = documents.compactMap { $0["url"] as? String }
        #expect(urls.count == Self.pages + 1 && Set(urls).count == urls.count, "\(urls.count) documents: \(urls.sorted())")
    }
}

/// A site served by Python's http.server on 127.0.0.1: `/` links to `/p0` … `/pN-1`; each page answers after
/// `delayMs`; it counts the requests in flight at once, robots.txt fetches, and when each page request came
/// (written to `site_stats.json` after each answer).
final class CountingSite: Sendable {
    /// A word on every page of the site (`documents search` finds them all by it).
    static let word = "counted"
    /// `http://127.0.0.1:PORT`.
    let base: String
    private let server: BackgroundProcess
    private let statsFile: URL

    private static let script = #"""
        import http.server, json, sys, threading, time
        pages, delay = int(sys.argv[1]), int(sys.argv[2]) / 1000
        lock = threading.Lock()
        state = {"in_flight": 0, "max_in_flight": 0, "robots": 0, "page_starts": []}
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def answer(self, status, kind, body):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def do_GET(self):
                with lock:
                    state["in_flight"] += 1
                    state["max_in_flight"] = max(state["max_in_flight"], state["in_flight"])
                    if self.path == "/robots.txt": state["robots"] += 1
                    else: state["page_starts"].append(time.monotonic())
                try:
                    time.sleep(delay)
                    if self.path == "/robots.txt":
                        self.answer(200, "text/plain", "User-agent: *\nDisallow: /private\n")
                    elif self.path == "/":
                        links = "".join(f'<a href="/p{i}">p{i}</a> ' for i in range(pages))
                        self.answer(200, "text/html", f"<html><head><title>home</title></head><body><p>counted</p>{links}</body></html>")
                    else:
                        self.answer(200, "text/html", f"<html><head><title>{self.path}</title></head><body>counted page</body></html>")
                finally:
                    with lock:
                        state["in_flight"] -= 1
                        with open("site_stats.json", "w") as out: json.dump(state, out)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print("port", server.server_address[1], flush=True)
        server.serve_forever()
        """#

    init(in folder: URL, pages: Int, delayMs: Int) async throws {
        let file = folder.appendingPathComponent("counting_site.py")
        statsFile = folder.appendingPathComponent("site_stats.json")
        try Data(Self.script.utf8).write(to: file)
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "the test site needs Debian's python3")
        let server = try BackgroundProcess("/usr/bin/python3", ["-u", file.path, "\(pages)", "\(delayMs)"], in: folder)
        self.server = server
        try #require(await waitUntil(timeout: .seconds(10)) { server.output().contains("port ") },
                     "the test site did not start: \(server.output())")
        let port = try #require(server.output().components(separatedBy: "port ").dropFirst().first?
            .split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) })
        base = "http://127.0.0.1:\(port)"
    }

    /// What the site saw so far.
    func stats() throws -> HostLimitProcessesTests.SiteStats {
        // The site rewrites the file after each request it answered.
        let data = try Data(contentsOf: statsFile)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return HostLimitProcessesTests.SiteStats(maxInFlight: json["max_in_flight"] as? Int ?? -1, robots: json["robots"] as? Int ?? -1,
                                                 pageStarts: json["page_starts"] as? [Double] ?? [])
    }

    /// Stops the server.
    func stop() { server.kill() }
}
