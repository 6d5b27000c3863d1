import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import QuaeroTestSupport
import Testing

@Suite("CLI: serve")
struct ServeCommandTests {
    /// `quaero serve` on a free port answers /health, runs a job created through the API, and exits 0 on SIGTERM.
    @Test(.timeLimit(.minutes(1)))
    func serveAnswersAndStopsOnSIGTERM() async throws {
        try await withWorkspace { dir in
            let server = try BackgroundQuaero(["serve", "--port", "0"], in: dir.url,
                                              environment: ["QUAERO_QUEUE_SHUTDOWN_TIMEOUT": "5s"])
            defer { server.kill() }
            let base = "http://127.0.0.1:\(try await Self.listeningPort(of: server))"

            let (healthStatus, health) = try await Self.request("GET", base + "/health")
            #expect(healthStatus == 200)
            #expect((health["database"] as? [String: Any])?["reachable"] as? Bool == true)

            let (createdStatus, created) = try await Self.request("POST", base + "/api/jobs", body: #"{"type": "cleanup", "config": {"older_than": "1h"}}"#)
            #expect(createdStatus == 202)
            let id = try #require(created["id"] as? String)
            let done = try await waitUntil(timeout: .seconds(20), pollEvery: .milliseconds(100)) {
                try await Self.request("GET", base + "/api/jobs/\(id)").1["status"] as? String == "completed"
            }
            #expect(done, "output: \(server.output())")
            #expect((try await Self.request("GET", base + "/health").1["workers"] as? [String: Any])?["running"] as? Bool == true)

            let stopping = ContinuousClock.now
            #expect(await server.terminate() == 0, "output: \(server.output())")
            #expect(ContinuousClock.now - stopping < .seconds(5), "SIGTERM took longer than shutdown_timeout")
            let stats = try #require(try dir.quaeroJSON("queue", "stats", "--json") as? [String: Any])
            #expect(stats["in_flight"] as? Int == 0)
        }
    }

    @Test func serveRejectsABadPort() async throws {
        try await withWorkspace { dir in
            let outcome = try dir.quaero("serve", "--port", "70000")
            #expect(outcome.status == 2, "\(outcome)")
            #expect(outcome.stderr.contains("70000"))
        }
    }

    /// A second `quaero serve` on the port of the first exits 1 with an error naming the address.
    @Test(.timeLimit(.minutes(1)))
    func serveNamesABusyPort() async throws {
        try await withWorkspace { dir in
            let first = try BackgroundQuaero(["serve", "--port", "0"], in: dir.url)
            defer { first.kill() }
            let busy = try await Self.listeningPort(of: first)
            let second = try dir.quaero("--db", "second.db", "serve", "--port", "\(busy)")
            #expect(second.status == 1, "\(second)")
            #expect(second.stderr.contains("quaero: 127.0.0.1:\(busy) is already in use; "), "\(second.stderr)")
            #expect(second.stderr.contains("--port"))
        }
    }

    /// Waits for `server`'s "listening on" line and returns its port.
    static func listeningPort(of server: BackgroundQuaero) async throws -> Int {
        var port: Int?
        let listening = await waitUntil(timeout: .seconds(20), pollEvery: .milliseconds(100)) {
            port = Self.port(in: server.output())
            return port != nil
        }
        #expect(listening, "no listening line; output: \(server.output())")
        return try #require(port)
    }

    /// The port of the "listening on http://host:port" line.
    static func port(in output: String) -> Int? {
        guard let range = output.range(of: #"listening on http://[^:\s]+:(\d+)"#, options: .regularExpression) else { return nil }
        return Int(output[range].split(separator: ":").last ?? "")
    }

    /// One request; the status and the body as a JSON object.
    static func request(_ method: String, _ url: String, body: String? = nil) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return (status, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }
}
