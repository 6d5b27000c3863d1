import Quaero
import Hummingbird
import HTTPTypes

/// Requires `Authorization: Bearer <token>` on every path but `/health` and the dashboard's (`/ui`, which asks
/// for the token once and keeps a session cookie: `DashboardAuthMiddleware`); the token is compared in
/// constant time, so the answer's timing does not tell how much of a guess was right.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path == "/health" || path == "/ui" || path.hasPrefix("/ui/") || Self.matches(request.headers[.authorization], token: token) else {
            throw APIError(.unauthorized, code: "unauthorized", "this API needs the header Authorization: Bearer <api_token>")
        }
        return try await next(request, context)
    }

    /// Whether `header` is `Bearer <token>`, in time that depends only on the lengths.
    static func matches(_ header: String?, token: String) -> Bool {
        let given = Array((header ?? "").utf8)
        let expected = Array("Bearer \(token)".utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in expected.indices {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}
