import Foundation
import Hummingbird
import Quaero
@testable import QuaeroHTTP
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("HTTP API: /metrics", .serialized, .timeLimit(.minutes(1)))
struct APIMetricsTests {
    @Test("Prometheus text with queue messages, jobs by type and status, job events and HTTP requests")
    func metrics() async throws {
        try await withAPI { runtime, api in
            #expect(try await api.post("/api/jobs", #"{"type": "cleanup"}"#).status == .accepted)
            #expect(try await api.get("/api/jobs/NOPE").status == .notFound)
            let answer = try await api.get("/metrics")
            #expect(answer.status == .ok)
            let lines = answer.text.split(separator: "\n").map(String.init)
            func value(_ name: String, _ labels: [String]) -> Double? {
                let line = lines.first { line in line.hasPrefix(name + "{") && labels.allSatisfy { line.contains($0) } }
                return line?.split(separator: " ").last.flatMap { Double($0) }
            }
            #expect(value("quaero_jobs", [#"type="cleanup""#, #"status="pending""#]) == 1, "\(answer.text)")
            #expect(value("quaero_jobs", [#"type="cleanup""#, #"status="completed""#]) == 0)
            #expect(value("quaero_queue_messages", [#"type="cleanup""#, #"state="ready""#]) == 1)
            #expect(value("quaero_job_events_total", [#"type="cleanup""#, #"kind="created""#]) == 1)
            #expect(value("quaero_http_requests_total", [#"method="POST""#, #"status="202""#]) == 1)
            #expect(value("quaero_http_requests_total", [#"method="GET""#, #"status="404""#]) == 1)
            #expect(lines.contains { $0.hasPrefix("quaero_log_lines_shed ") })
            _ = runtime
        }
    }

    @Test("quaero_store_reads counts the store's read transactions: one more read between two scrapes shows as one more")
    func storeReads() async throws {
        try await withAPI { runtime, api in
            func reads() async throws -> Int {
                let text = try await api.get("/metrics").text
                let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("quaero_store_reads ") })
                return Int(try #require(Double(line.split(separator: " ")[1])))
            }
            let first = try await reads()
            let second = try await reads()
            _ = try await runtime.store.read { try await $0.job("none") }
            let third = try await reads()
            #expect(second > first, "a scrape reads the store")
            #expect(third - second == (second - first) + 1)
        }
    }

    @Test("with api_token set, /metrics needs the token")
    func needsToken() async throws {
        try await withAPI({ $0.server.apiToken = "t" }) { _, api in
            let denied = try await api.get("/metrics")
            let allowed = try await api.get("/metrics", token: "t")
            #expect(denied.status == .unauthorized)
            #expect(allowed.status == .ok)
        }
    }
}
