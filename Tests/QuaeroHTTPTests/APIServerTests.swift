import Foundation
import Hummingbird
@testable import Quaero
@testable import QuaeroHTTP
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("HTTP API: health, auth, limits", .serialized, .timeLimit(.minutes(1)))
struct APIServerTests {
    @Test("GET /health: database reachable, workers, version")
    func health() async throws {
        try await withAPI { _, api in
            let health = try await api.get("/health")
            #expect(health.status == .ok)
            #expect(health.object["status"] as? String == "ok")
            #expect(health.object["version"] as? String == quaeroVersion)
            #expect((health.object["database"] as? [String: Any])?["reachable"] as? Bool == true)
            #expect((health.object["workers"] as? [String: Any])?["running"] as? Bool == false)  // the pool is not run here
        }
    }

    @Test("with api_token set: /health is open; other routes need the right bearer token (401 otherwise)")
    func bearerToken() async throws {
        try await withAPI({ $0.server.apiToken = "s3cret" }) { _, api in
            #expect(try await api.get("/health").status == .ok)
            let none = try await api.get("/api/queue/stats")
            #expect(none.status == .unauthorized)
            #expect(none.errorCode == "unauthorized")
            #expect(try await api.get("/api/queue/stats", token: "wrong!").status == .unauthorized)
            #expect(try await api.get("/api/queue/stats", token: "s3cre").status == .unauthorized)
            #expect(try await api.call(.get, "/api/queue/stats", authorization: "Basic s3cret").status == .unauthorized)
            #expect(try await api.post("/api/jobs", #"{"type": "cleanup"}"#).status == .unauthorized)
            #expect(try await api.get("/api/queue/stats", token: "s3cret").status == .ok)
            #expect(try await api.post("/api/jobs", #"{"type": "cleanup"}"#, token: "s3cret").status == .accepted)
        }
    }

    @Test("the token comparison accepts exactly \"Bearer <token>\"")
    func tokenComparison() {
        #expect(BearerAuthMiddleware<BasicRequestContext>.matches("Bearer abc", token: "abc"))
        #expect(!BearerAuthMiddleware<BasicRequestContext>.matches("Bearer abcd", token: "abc"))
        #expect(!BearerAuthMiddleware<BasicRequestContext>.matches("Bearer ab", token: "abc"))
        #expect(!BearerAuthMiddleware<BasicRequestContext>.matches(nil, token: "abc"))
        #expect(!BearerAuthMiddleware<BasicRequestContext>.matches("bearer abc", token: "abc"))
    }

    @Test("a body over the limit is 413 and creates nothing")
    func oversizeBody() async throws {
        try await withAPI { runtime, api in
            let huge = #"{"type": "cleanup", "config": {"pad": ""# + String(repeating: "x", count: APIRoutes.maxBodyBytes) + #""}}"#
            let answer = try await api.post("/api/jobs", huge)
            #expect(answer.status == .contentTooLarge)
            #expect(answer.errorCode == "body_too_large")
            #expect(try await runtime.jobManager.listJobs().isEmpty)
        }
    }
}
