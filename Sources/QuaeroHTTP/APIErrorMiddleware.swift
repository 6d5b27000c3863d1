import Quaero
import Hummingbird
import Logging
import HTTPTypes

/// Turns every error a route or the router throws into `{"error": {"code", "message"}}` with its status.
/// A request the router has no route for is a 405 with `Allow` when its path is known, else a 404.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // Only the router throws Hummingbird's HTTPError(.notFound); routes throw APIError or QuaeroError.
            let unrouted = routes.unrouted(request)
            if request.uri.path == "/ui" || request.uri.path.hasPrefix("/ui/") {
                return Dashboard.unroutedPage(unrouted)  // a person reads it: a page, not JSON
            }
            return try unrouted.response(from: request, context: context)
        } catch {
            let apiError = APIError.from(error)
            if apiError.status == .internalServerError {
                context.logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            }
            return try apiError.response(from: request, context: context)
        }
    }
}
