import Quaero
import Hummingbird
import HTTPTypes
import QuaeroQueue

/// `/api/documents?q=`: full-text search over stored documents.
enum DocumentRoutes {
    static func add(to router: Router<BasicRequestContext>, runtime: QuaeroRuntime) {
        router.get("/api/documents") { request, _ -> Response in
            guard let query = try APIRequest.query(request, "q") else {
                throw APIError(.badRequest, code: "invalid_query", "give a search query: /api/documents?q=words")
            }
            let hits = try await runtime.documents.search(
                query, jobID: try APIRequest.query(request, "job_id"), limit: try APIRequest.queryInt(request, "limit", default: 20))
            return try APIResponse.json(hits.map(DocumentSearchHitJSON.init))
        }
    }
}
