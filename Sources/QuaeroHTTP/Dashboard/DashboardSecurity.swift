import Foundation
import Hummingbird
import HTTPTypes

/// Headers on every dashboard answer: a Content-Security-Policy that allows this origin's stylesheet and
/// script only (no inline script or style, no other origin, no framing), and the server's time for the
/// request as `Server-Timing: app;dur=<ms>` (what `scripts/bench-ui` reads).
struct DashboardHeadersMiddleware: RouterMiddleware {
    typealias Context = DashboardContext

    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var response = try await next(request, context)
        let elapsed = ContinuousClock.now - started
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.referrerPolicy] = "same-origin"
        response.headers[Self.frameOptions] = "DENY"
        let millis = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        response.headers[Self.serverTiming] = "app;dur=" + String(format: "%.3f", millis)
        return response
    }

    // Valid field names (RFC 9110 tokens), so the force unwraps cannot fail.
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
    static let serverTiming = HTTPField.Name("Server-Timing")!
}

/// When `[server] api_token` is set, every dashboard page needs a session (`DashboardSession`): a page asked
/// for without one redirects to the sign-in form, anything else gets 401. The form and the assets need none.
struct DashboardAuthMiddleware: RouterMiddleware {
    typealias Context = DashboardContext
    let session: DashboardSession

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/ui/login" || path.hasPrefix("/ui/assets/") || session.isValid(request.cookies[DashboardSession.cookie]?.value) {
            return try await next(request, context)
        }
        if request.method == .get || request.method == .head, path != "/ui/events" {
            return Dashboard.redirect(to: "/ui/login?next=" + Dashboard.queryEscaped(request.uri.description))
        }
        throw DashboardError(status: .unauthorized, message: "sign in with the API token first: open /ui/login")
    }
}

/// CSRF protection of the dashboard's forms (double submit): every page sets a random `quaero_csrf` cookie
/// (HttpOnly, SameSite=Strict) and puts the same value in each form; a POST is accepted only when its `csrf`
/// field equals the cookie. Another site can neither read the value nor make the browser send the cookie.
/// A request a browser marks as cross-site (`Sec-Fetch-Site`) is refused as well. The form is read here, once,
/// into the context.
struct DashboardCSRFMiddleware: RouterMiddleware {
    typealias Context = DashboardContext
    static let cookie = "quaero_csrf"
    /// The largest form accepted.
    static let maxFormBytes = 64 * 1024

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        let existing = request.cookies[Self.cookie]?.value.filter { $0.isHexDigit }
        let token = existing.flatMap { $0.count == 32 ? $0 : nil } ?? Self.newToken()
        context.csrfToken = token
        if request.method == .post {
            if let site = HTTPField.Name("Sec-Fetch-Site").flatMap({ request.headers[$0] }), site != "same-origin", site != "none" {
                throw DashboardError.forbidden("the form came from another site (\(site)); submit it from the dashboard itself")
            }
            let body = try await request.collectBody(upTo: Self.maxFormBytes)
            context.form = try FormFields(String(buffer: body))
            guard let existing, existing.count == 32, constantTimeEqual(Array((context.form["csrf"] ?? "").utf8), Array(existing.utf8)) else {
                throw DashboardError.forbidden("the form's security token is missing or out of date; reload the page and submit it again")
            }
        }
        var response = try await next(request, context)
        if existing != token {
            response.setCookie(Cookie(name: Self.cookie, value: token, path: "/ui", httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// 128 random bits in hex.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let value = generator.next() as UInt64
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
