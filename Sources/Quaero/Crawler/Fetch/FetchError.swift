/// Why a URL could not be fetched, and whether trying again later may help.
public struct FetchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        /// The server answered with this status (after redirects): 4xx and other non-2xx answers.
        case httpStatus(Int)
        /// The whole fetch (connecting, redirects and body) took longer than `request_timeout`.
        case timeout
        /// No connection, or it broke: refused, reset, DNS, TLS.
        case connection
        /// More redirects than `max_redirects`.
        case tooManyRedirects
        /// A redirect back to a URL already visited in this fetch.
        case redirectLoop
        /// A redirect without a usable `Location` (missing, not http(s), malformed).
        case badRedirect
        /// The answer is not HTML; the content type it has (or "none").
        case notHTML(String)
        /// The body is larger than `max_body_bytes`.
        case bodyTooLarge
    }

    /// What went wrong.
    public let kind: Kind
    /// The URL being fetched when it went wrong (the redirect target, after a redirect).
    public let url: String
    /// One sentence naming the URL and the problem.
    public let message: String

    /// Creates an error about `url`.
    public init(_ kind: Kind, url: String, _ message: String) {
        self.kind = kind
        self.url = url
        self.message = message
    }

    /// Whether the failure may be temporary, so the fetch should be retried with backoff: 5xx, 408 and 429
    /// answers, timeouts and connection errors. Other 4xx answers, non-HTML content, oversize bodies and
    /// redirect problems will not change by trying again.
    public var isRetryable: Bool {
        switch kind {
        case .timeout, .connection: true
        case .httpStatus(let status): status >= 500 || status == 408 || status == 429
        case .tooManyRedirects, .redirectLoop, .badRedirect, .notHTML, .bodyTooLarge: false
        }
    }

    public var description: String { message }
}
