import Foundation
import Hummingbird
import Quaero
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("HTTP API: the OpenAPI document", .serialized, .timeLimit(.minutes(1)))
struct OpenAPIDocumentTests {
    @Test("every route of the router is in the document, and every operation of the document is a route")
    func documentMatchesRouter() async throws {
        try await withAppStore { database, _ in
            let runtime = try QuaeroRuntime(config: QuaeroConfig(), store: database)
            let router = APIRoutes.buildRouter(runtime: runtime)
            let routes = Set(router.routes.map { route in
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

    @Test("GET /openapi.json serves the document")
    func served() async throws {
        try await withAPI { _, api in
            let answer = try await api.get("/openapi.json")
            #expect(answer.status == .ok)
            #expect(answer.object["paths"] is [String: Any])
        }
    }
}
