import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import QuaeroTestSupport
import Testing

/// `quaero serve` killed with SIGKILL in the middle of a crawl started through the API: started again, it
/// finishes the crawl with every page stored once and consistent counters, and SIGTERM then exits 0 with
/// nothing left in flight.
@Suite("CLI: serve survives kill -9 mid-crawl", .timeLimit(.minutes(1)))
struct ServeCrashTests {
    static let pages = 40

    @Test func crawlCompletesAfterKill() async throws {
        try await withWorkspace { dir in
            let site = try Self.slowSite(in: dir.url)
            defer { site.kill() }
            try #require(await waitUntil(timeout: .seconds(10)) { site.output().contains("port ") }, "site: \(site.output())")
            let sitePort = try #require(site.output().components(separatedBy: "port ").dropFirst().first?
                .split(whereSeparator: \.isNewline).first.flatMap { Int($0) })
            // A short heartbeat, so the restarted server takes over the killed one's leases within seconds.
            let environment = ["QUAERO_QUEUE_HEARTBEAT_INTERVAL": "1s"]

            let first = try BackgroundQuaero(["serve", "--port", "0"], in: dir.url, environment: environment)
            defer { first.kill() }
            let base = try await Self.baseURL(of: first)
            let (status, created) = try await ServeCommandTests.request(
                "POST", base + "/api/jobs", body: #"{"type": "crawler", "config": {"urls": ["http://127.0.0.1:\#(sitePort)/index.html"], "max_depth": 1}}"#)
            #expect(status == 202, "\(created)")
            let id = try #require(created["id"] as? String)
            var completedAtKill = 0
            let midway = try await waitUntil(timeout: .seconds(20), pollEvery: .milliseconds(20)) {
                let progress = try await ServeCommandTests.request("GET", base + "/api/jobs/\(id)").1["progress"] as? [String: Any]
                completedAtKill = progress?["completed"] as? Int ?? 0
                return completedAtKill >= 5
            }
            #expect(midway, "output: \(first.output())")
            first.kill()
            #expect(completedAtKill < Self.pages, "the crawl was nearly done before the kill")

            let second = try BackgroundQuaero(["serve", "--port", "0"], in: dir.url, environment: environment)
            defer { second.kill() }
            let again = try await Self.baseURL(of: second)
            var job: [String: Any] = [:]
            let ended = try await waitUntil(timeout: .seconds(40), pollEvery: .milliseconds(100)) {
                job = try await ServeCommandTests.request("GET", again + "/api/jobs/\(id)").1
                return job["status"] as? String == "completed"
            }
            #expect(ended, "crawl: \(job); output: \(second.output())")
            let progress = job["progress"] as? [String: Any]
            #expect(progress?["total"] as? Int == Self.pages + 1, "\(job)")
            #expect(progress?["completed"] as? Int == Self.pages + 1, "\(job)")
            #expect(progress?["failed"] as? Int == 0, "\(job)")
            let documents = try await Self.requestArray(again + "/api/jobs/\(id)/documents?limit=1000")
            #expect(documents.count == Self.pages + 1)
            #expect(Set(documents.compactMap { $0["url"] as? String }).count == Self.pages + 1)

            #expect(await second.terminate() == 0, "output: \(second.output())")
            let stats = try #require(try dir.quaeroJSON("queue", "stats", "--json") as? [String: Any])
            #expect(stats["in_flight"] as? Int == 0)
            #expect(stats["ready"] as? Int == 0)
        }
    }

    /// A site of an index linking to `pages` pages, served by python3 with 50 ms per request, so a crawl
    /// takes long enough to be killed in the middle.
    static func slowSite(in directory: URL) throws -> BackgroundProcess {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "the test site needs Debian's python3")
        let script = """
            import http.server, time
            N = \(pages)
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    time.sleep(0.05)
                    if self.path == "/index.html":
                        body = "<html><head><title>Index</title></head><body>" + "".join(f'<a href="/p{i}.html">p{i}</a> ' for i in range(N)) + "</body></html>"
                    elif self.path.startswith("/p") and self.path.endswith(".html"):
                        body = f"<html><head><title>Page {self.path}</title></head><body><p>Text of {self.path}.</p></body></html>"
                    else:
                        self.send_response(404); self.end_headers(); return
                    data = body.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                def log_message(self, *args):
                    pass
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            print("port", server.server_address[1], flush=True)
            server.serve_forever()
            """
        let path = directory.appendingPathComponent("slow_site.py")
        try Data(script.utf8).write(to: path)
        return try BackgroundProcess("/usr/bin/python3", ["-u", path.path], in: directory)
    }

    /// Waits for the server's "listening on" line and returns its base URL.
    static func baseURL(of server: BackgroundQuaero) async throws -> String {
        var port: Int?
        let listening = await waitUntil(timeout: .seconds(20), pollEvery: .milliseconds(50)) {
            port = ServeCommandTests.port(in: server.output())
            return port != nil
        }
        try #require(listening, "no listening line; output: \(server.output())")
        return "http://127.0.0.1:\(try #require(port))"
    }

    static func requestArray(_ url: String) async throws -> [[String: Any]] {
        let (data, _) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        return (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] ?? []
    }
}
