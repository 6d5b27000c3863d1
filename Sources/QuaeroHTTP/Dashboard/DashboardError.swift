import Quaero
import Hummingbird
import HTTPTypes
import Logging
import QuaeroQueue

/// An error a dashboard page shows: its status and one sentence saying what is wrong and what to do.
struct DashboardError: Error, Sendable {
    let status: HTTPResponse.Status
    let message: String

    static func notFound(_ message: String) -> DashboardError { DashboardError(status: .notFound, message: message) }
    static func badRequest(_ message: String) -> DashboardError { DashboardError(status: .badRequest, message: message) }
    static func forbidden(_ message: String) -> DashboardError { DashboardError(status: .forbidden, message: message) }

    /// The page of a read-only dashboard's refused action.
    static let readOnly = DashboardError.forbidden(
        "this dashboard is read-only ([server] read_only_ui = true); change jobs with the CLI or the HTTP API")

    /// The dashboard's form of any error: the API's status and message (so a page says what the API would).
    static func from(_ error: any Error) -> DashboardError {
        if let error = error as? DashboardError { return error }
        let api = APIError.from(error)
        return DashboardError(status: api.status, message: api.message)
    }
}

/// Renders every error of a dashboard route as an HTML page with its status (the API's JSON middleware never
/// sees them); unexpected errors are logged and shown without their details.
struct DashboardErrorMiddleware: RouterMiddleware {
    typealias Context = DashboardContext
    let dashboard: Dashboard

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let shown = DashboardError.from(error)
            if shown.status == .internalServerError {
                context.logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            }
            return dashboard.errorPage(shown, path: request.uri.path, csrf: context.csrfToken)
        }
    }
}

extension Dashboard {
    /// The page for a `/ui` path the router has no route for (404, or 405 with `Allow`): a person reads it.
    static func unroutedPage(_ error: APIError) -> Response {
        var response = html("""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(error.status.code) · Quaero</title>
            <link rel="stylesheet" href="\(DashboardAssets.css.path)"></head>
            <body><main><h1>\(error.status.code) \(error.status.reasonPhrase)</h1><p class="notice bad">\(error.message)</p>
            <p><a href="/ui">Back to the overview</a></p></main></body></html>
            """, status: error.status)
        response.headers[.contentSecurityPolicy] = DashboardHeadersMiddleware.contentSecurityPolicy
        response.headers.append(contentsOf: error.headers)
        return response
    }
}
