import Quaero
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import QuaeroQueue

/// The dashboard at `/ui` (DESIGN §12): server-rendered pages over the engine's and the app's public API,
/// live over one event stream per page (`DashboardHub`), every action a plain form POST with a redirect.
final class Dashboard: Sendable {
    let runtime: QuaeroRuntime
    /// The effective configuration and where each value came from (the settings page).
    let settings: ResolvedConfig
    /// Shared reads and wake-ups for the pages' event streams.
    let hub: DashboardHub
    /// The sign-in, when `[server] api_token` is set.
    let session: DashboardSession?

    /// Whether actions are hidden and refused (`[server] read_only_ui`).
    var readOnly: Bool { runtime.config.server.readOnlyUI }
    var manager: JobManager { runtime.jobManager }
    var queue: Queue { runtime.queueManager.queue }

    /// Jobs, dead letters and messages shown per page.
    static let pageSize = 50

    init(runtime: QuaeroRuntime, settings: ResolvedConfig) {
        self.runtime = runtime
        self.settings = settings
        let token = runtime.config.server.apiToken ?? ""
        session = token.isEmpty ? nil : DashboardSession(token: token)
        hub = DashboardHub(runtime: runtime)
    }

    /// Adds every `/ui` route to `router`, with the dashboard's middleware: HTML error pages, security headers
    /// and server timing, the session check (when a token is set) and CSRF tokens.
    func add(to router: Router<BasicRequestContext>) {
        let ui = router.group("/ui", context: DashboardContext.self)
        ui.add(middleware: DashboardHeadersMiddleware())
        ui.add(middleware: DashboardErrorMiddleware(dashboard: self))
        if let session { ui.add(middleware: DashboardAuthMiddleware(session: session)) }
        ui.add(middleware: DashboardCSRFMiddleware())
        DashboardAssets.add(to: ui)
        addSignIn(to: ui)
        addOverview(to: ui)
        addJobs(to: ui)
        addJob(to: ui)
        addNewJob(to: ui)
        addQueue(to: ui)
        addDeadLetters(to: ui)
        addDocuments(to: ui)
        addSettings(to: ui)
        addEvents(to: ui)
    }

    /// Refuses an action when the dashboard is read-only.
    func requireWritable() throws {
        if readOnly { throw DashboardError.readOnly }
    }

    // MARK: Responses

    /// An HTML answer that no cache keeps.
    static func html(_ body: HTML, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body.markup)))
    }

    /// 303 See Other to `location` (a dashboard path): what every action answers, so a reload does not post again.
    static func redirect(to location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// `text` escaped for a query value.
    static func queryEscaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: queryValueCharacters) ?? ""
    }

    /// `text` escaped for one path segment (the same unreserved characters stay).
    static func pathEscaped(_ text: String) -> String { queryEscaped(text) }

    private static let queryValueCharacters = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// A query string of the non-empty `pairs` (`?a=1&b=2`, or empty).
    static func query(_ pairs: [(String, String?)]) -> String {
        let present = pairs.compactMap { name, value in value.flatMap { $0.isEmpty ? nil : "\(name)=\(queryEscaped($0))" } }
        return present.isEmpty ? "" : "?" + present.joined(separator: "&")
    }

    /// The path parameter `name` (the route guarantees it), refused when it is far too long.
    static func parameter(_ context: DashboardContext, _ name: String) throws -> String {
        guard let value = context.parameters.get(name), !value.isEmpty, value.utf8.count <= 200 else {
            throw DashboardError.notFound("there is no such page")
        }
        return value
    }

    /// The query parameters of `request`, decoded as forms are.
    static func queryFields(_ request: Request) throws -> FormFields {
        try FormFields(request.uri.query ?? "")
    }
}
