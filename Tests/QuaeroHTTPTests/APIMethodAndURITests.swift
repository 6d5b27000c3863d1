import Foundation
import Hummingbird
import HTTPTypes
import Quaero
@testable import QuaeroHTTP
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("HTTP API: methods, HEAD, long URIs, form-encoded queries", .serialized, .timeLimit(.minutes(1)))
struct APIMethodAndURITests {
    @Test("another method on a known path is a 405 naming the path, with Allow and the JSON error")
    func methodNotAllowed() async throws {
        try await withAPI { runtime, api in
            let job = try await runtime.jobManager.createJob(JobSpec(type: .cleanup))
            let cases: [(HTTPRequest.Method, String, String)] = [
                (.post, "/health", "GET, HEAD"), (.put, "/api/jobs", "GET, HEAD, POST"),
                (.patch, "/api/jobs/\(job.id)", "DELETE, GET, HEAD"), (.options, "/api/jobs/\(job.id)/events", "GET, HEAD"),
                (.get, "/api/jobs/\(job.id)/cancel", "POST"), (.delete, "/metrics", "GET, HEAD"),
            ]
            for (method, path, allowed) in cases {
                let answer = try await api.call(method, path)
                #expect(answer.status == .methodNotAllowed, "\(method) \(path): \(answer.text)")
                #expect(answer.headers[.allow] == allowed, "\(method) \(path)")
                #expect(answer.errorCode == "method_not_allowed")
                #expect(answer.errorMessage.contains(method.rawValue) && answer.errorMessage.contains(path))
            }
            let unknown = try await api.get("/api/nothing")
            #expect(unknown.status == .notFound)
            #expect(unknown.errorCode == "not_found")
            #expect(unknown.errorMessage.contains("/api/nothing"))
            #expect(try await runtime.jobManager.getJob(job.id).status == .pending)
        }
    }

    @Test("HEAD answers like GET without a body, on /health and every GET route")
    func head() async throws {
        try await withAPI { _, api in
            for path in ["/health", "/api/queue/stats", "/openapi.json"] {
                let get = try await api.get(path)
                let head = try await api.call(.head, path)
                #expect(head.status == .ok, "HEAD \(path)")
                #expect(head.text.isEmpty, "HEAD \(path) has a body")
                #expect(head.headers[.contentType] == get.headers[.contentType], "HEAD \(path)")
            }
        }
    }

    @Test("a 100,000-character job id is a JSON 400 naming the problem, an unknown method a JSON 501; a 50,000-character id a JSON 404 giving its length")
    func longIDs() async throws {
        try await withAPI { _, api in
            let port = try #require(api.client.port)
            let huge = try await rawHTTPExchange(port: port, "GET /api/jobs/\(String(repeating: "a", count: 100_000)) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(huge.hasPrefix("HTTP/1.1 400 "), "\(huge)")
            #expect(huge.contains("Content-Type: application/json"))
            #expect(huge.contains(#"{"error":{"code":"request_too_large","message":"the request's URL and headers are longer than the server reads (80 KiB)"#))
            let unknownMethod = try await rawHTTPExchange(port: port, "FROB /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(unknownMethod.hasPrefix("HTTP/1.1 501 "), "\(unknownMethod)")
            #expect(unknownMethod.contains(#""code":"method_not_implemented""#))
            let long = try await api.get("/api/jobs/" + String(repeating: "a", count: 50_000))
            #expect(long.status == .notFound)
            #expect(long.errorMessage.contains("50000 characters"))
            #expect(long.text.count < 300)
            #expect(try await api.get("/health").status == .ok)  // the server still answers
        }
    }

    @Test("query strings decode as forms: + is a space, escapes decode; a malformed escape is a 400 naming it")
    func formQueries() async throws {
        try await withAPI { runtime, api in
            let store = runtime.documents
            _ = try await store.upsert(url: "https://example.com/q", title: "Queues", text: "A queue on sqlite, durable.", jobID: nil)
            for query in ["queue+AND+sqlite", "queue%20AND%20sqlite", "%22queue+on%22"] {
                let hits = try await api.get("/api/documents?q=\(query)")
                #expect(hits.status == .ok, "q=\(query): \(hits.text)")
                #expect(hits.array.map { $0["title"] as? String } == ["Queues"], "q=\(query)")
            }
            let job = try await runtime.jobManager.createJob(JobSpec(type: .cleanup))
            #expect(try await api.get("/api/jobs?status=pending&limit=1+0").status == .badRequest)  // "1 0" is no number
            #expect(try await api.get("/api/jobs?type=cleanup&parent%5Fid=").array.isEmpty)
            #expect(try await api.get("/api/jobs?type=clean%75p").array.map { $0["id"] as? String } == [job.id])
            let bad = try await api.get("/api/documents?q=100%+sure")
            #expect(bad.status == .badRequest)
            #expect(bad.errorCode == "invalid_query")
            #expect(bad.errorMessage.contains("100%+sure"))
        }
    }
}
