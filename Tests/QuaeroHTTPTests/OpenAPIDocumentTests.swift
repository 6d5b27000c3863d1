import Foundation
import Hummingbird
@testable import Quaero
@testable import QuaeroHTTP
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("HTTP API: the OpenAPI document", .serialized, .timeLimit(.minutes(1)))
struct OpenAPIDocumentTests {
    @Test("every API route of the router is in the document, and every operation of the document is a route (the dashboard's HTML pages under /ui are not the API)")
    func documentMatchesRouter() async throws {
        try await withAppStore { database, _ in
            let runtime = try QuaeroRuntime(config: QuaeroConfig(), store: database)
            let router = APIRoutes.buildRouter(runtime: runtime)
            let routes = Set(router.routes.filter { !"\($0.path)".hasPrefix("/ui") }.map { route in
                let path = "\(route.path)".split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                return "\(route.method.rawValue.uppercased()) /" + path.joined(separator: "/")
            })
            let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIRoute.document)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let operations = Set(paths.flatMap { path, methods in methods.keys.map { "\($0.uppercased()) \(path)" } })
            #expect(routes.subtracting(operations).isEmpty, "routes missing from openapi.json: \(routes.subtracting(operations).sorted())")
            #expect(operations.subtracting(routes).isEmpty, "operations without a route: \(operations.subtracting(routes).sorted())")
            #expect(routes.count >= 16)
        }
    }

    @Test("the limits the document states are the server's own constants")
    func limitsMatchConstants() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIRoute.document)) as? [String: Any])
        func schema(_ path: String, _ method: String, _ parameter: String) throws -> [String: Any] {
            let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
            let parameters = try #require(paths[path]?[method]?["parameters"] as? [[String: Any]])
            let found = try #require(parameters.first { $0["name"] as? String == parameter }, "\(method) \(path) \(parameter)")
            return try #require(found["schema"] as? [String: Any])
        }
        #expect(try schema("/api/jobs/{id}/logs", "get", "limit")["maximum"] as? Int == JobLogStore.maxLimit)
        #expect(try schema("/api/jobs/{id}/logs", "get", "level")["enum"] as? [String] == LogLevel.allCases.map(\.rawValue))
        #expect(try schema("/api/jobs", "get", "limit")["maximum"] as? Int == 1000)
        let components = try #require(document["components"] as? [String: [String: Any]])
        let jobID = try #require(components["parameters"]?["JobID"] as? [String: Any])
        #expect((jobID["schema"] as? [String: Any])?["maxLength"] as? Int == APIRequest.maxJobIDLength)
        let statuses = try #require((components["schemas"]?["JobStatus"] as? [String: Any])?["enum"] as? [String])
        #expect(statuses == JobStatus.allCases.map(\.rawValue))
        let cleanup = try #require(components["schemas"]?["CleanupJobRequest"] as? [String: Any])
        let ages = try #require(((cleanup["properties"] as? [String: Any])?["config"] as? [String: Any])?["properties"] as? [String: [String: Any]])
        #expect(ages["age_threshold_days"]?["maximum"] as? Int == QuaeroJobs.cleanupMaxDays)
        #expect(ages["dead_letter_age_days"]?["maximum"] as? Int == QuaeroJobs.cleanupMaxDays)
        #expect((document["info"] as? [String: Any])?["description"].map { "\($0)".contains("\(APIRequest.maxExactInteger)") } == true)
        #expect((document["info"] as? [String: Any])?["description"].map { "\($0)".contains("1 MiB") } == true && APIRoutes.maxBodyBytes == 1 << 20)
    }

    @Test("GET /openapi.json serves the document")
    func served() async throws {
        try await withAPI { _, api in
            let answer = try await api.get("/openapi.json")
            #expect(answer.status == .ok)
            #expect(answer.object["paths"] is [String: Any])
        }
    }

    @Test("the worker protocol's limits in the document are WorkerProtocol's and the routes' constants")
    func workerProtocolLimits() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIRoute.document)) as? [String: Any])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        let claim = try #require(schemas["WorkerClaimRequest"]?["properties"] as? [String: [String: Any]])
        #expect(claim["types"]?["maxItems"] as? Int == WorkerProtocol.maxTypes)
        #expect(claim["limit"]?["maximum"] as? Int == WorkerProtocol.maxClaimLimit)
        #expect(claim["worker"]?["maxLength"] as? Int == WorkerProtocol.maxNameLength)
        #expect(schemas["JobTypeName"]?["maxLength"] as? Int == WorkerProtocol.maxNameLength)
        #expect((claim["wait"]?["description"] as? String)?.contains("0s...\(DurationText.format(WorkerProtocol.maxWait))") == true)
        let range = WorkerProtocol.leaseRange
        #expect((claim["lease"]?["description"] as? String)?.contains(
            "\(DurationText.format(range.lowerBound))...\(DurationText.format(range.upperBound)), default \(DurationText.format(WorkerProtocol.defaultLease))") == true)
        #expect(schemas["LeaseToken"]?["pattern"] as? String == LeaseToken.pattern)
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        func body(_ path: String) throws -> [String: Any] {
            let post = try #require(paths[path]?["post"] as? [String: Any])
            let content = try #require(((post["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any])
            return try #require((content["schema"] as? [String: Any])?["properties"] as? [String: Any])
        }
        let lines = try #require(try body("/api/jobs/{id}/logs")["lines"] as? [String: Any])
        #expect(lines["maxItems"] as? Int == WorkerRequests.maxLogLines)
        let line = try #require((lines["items"] as? [String: Any])?["properties"] as? [String: [String: Any]])
        #expect(line["message"]?["maxLength"] as? Int == WorkerRequests.maxLogLineLength)
        #expect(WorkerRequests.maxLogLines * WorkerRequests.maxLogLineLength < APIRoutes.maxBodyBytes / 2)
        #expect((try body("/api/jobs/{id}/fail")["error"] as? [String: Any])?["maxLength"] as? Int == WorkerRequests.maxTextLength)
        let retryAfter = try #require(try body("/api/jobs/{id}/fail")["retry_after"] as? [String: Any])
        #expect((retryAfter["description"] as? String)?.contains("0s...\(DurationText.format(WorkerProtocol.maxRetryAfter))") == true)
    }
}
