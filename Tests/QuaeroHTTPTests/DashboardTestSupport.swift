import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
@testable import QuaeroHTTP
import QuaeroTestSupport

/// A browser's side of the dashboard in tests: its cookies, the CSRF token of the last page, form posts.
final class DashboardBrowser: @unchecked Sendable {
    let api: APIClient
    /// Cookies by name (`quaero_csrf`, `quaero_session`).
    private let cookies = Locked<[String: String]>([:])

    init(_ api: APIClient) { self.api = api }

    /// The Cookie header this browser sends.
    var cookieHeader: String { cookies.value.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }

    /// The CSRF token the pages put in their forms (the `quaero_csrf` cookie).
    var csrf: String? { cookies.value[DashboardCSRFMiddleware.cookie] }

    /// Sends a request with this browser's cookies and keeps the cookies the answer sets.
    func request(_ method: HTTPRequest.Method, _ uri: String, form: [(String, String)]? = nil,
                 headers extra: [String: String] = [:]) async throws -> APIAnswer {
        var headers = extra
        if !cookies.value.isEmpty { headers["Cookie"] = cookieHeader }
        var body: String?
        if let form {
            body = form.map { "\(Dashboard.queryEscaped($0.0))=\(Dashboard.queryEscaped($0.1))" }.joined(separator: "&")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        }
        let answer = try await api.call(method, uri, body: body, headers: headers)
        for value in answer.headers[values: .setCookie] {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            // An empty value (with Max-Age=0) deletes the cookie, as a browser does.
            cookies.withLock { $0[String(pair[0])] = pair[1].isEmpty ? nil : String(pair[1]) }
        }
        return answer
    }

    func get(_ uri: String) async throws -> APIAnswer { try await request(.get, uri) }

    /// Posts a form with the page's CSRF token.
    func post(_ uri: String, _ form: [(String, String)] = []) async throws -> APIAnswer {
        try await request(.post, uri, form: [("csrf", csrf ?? "")] + form)
    }

    func setCookie(_ name: String, _ value: String?) {
        cookies.withLock { $0[name] = value }
    }
}

/// One server-sent event.
struct SSEFrame: Sendable {
    var id: String?
    var event: String
    var data: String

    /// The JSON of a dashboard frame.
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:] }
    var target: String { json["target"] as? String ?? "" }
    var html: String { json["html"] as? String ?? "" }

    /// Parses the frames of a stream's text so far (comments skipped).
    static func parse(_ text: String) -> [SSEFrame] {
        // Only whole frames: the last block is still arriving unless the text ends with its blank line.
        text.components(separatedBy: "\n\n").dropLast().compactMap { block in
            var frame = SSEFrame(event: "message", data: "")
            var hasData = false
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { frame.id = String(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { frame.event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { frame.data = String(line.dropFirst(6)); hasData = true }
            }
            return hasData ? frame : nil
        }
    }
}

/// Reads the event stream at `url` until `done` holds for the frames so far (or `timeout` passes), then
/// closes it; returns the frames.
func readEvents(_ url: String, headers: [String: String] = [:], timeout: Duration = .seconds(20),
                until done: @escaping @Sendable ([SSEFrame]) -> Bool) async throws -> [SSEFrame] {
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    var request = HTTPClientRequest(url: url)
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    let text = Locked("")
    let reader = Task {
        let response = try await http.execute(request, timeout: .seconds(60))
        for try await chunk in response.body {
            text.withLock { $0 += String(buffer: chunk) }
            if done(SSEFrame.parse(text.value)) { return }
        }
    }
    _ = await waitUntil(timeout: timeout, pollEvery: .milliseconds(10)) { done(SSEFrame.parse(text.value)) }
    reader.cancel()
    _ = await reader.result
    try await http.shutdown()
    return SSEFrame.parse(text.value)
}
