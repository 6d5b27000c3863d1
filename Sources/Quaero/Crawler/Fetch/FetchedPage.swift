import QuaeroQueue

/// An HTML page as fetched: where it ended up and its bytes.
public struct FetchedPage: Sendable, Equatable {
    /// The URL the body came from, after any redirects.
    public let url: CrawlURL
    /// The URLs that answered with a redirect, in order; the first is the one asked for.
    public let redirects: [CrawlURL]
    /// The HTTP status (2xx).
    public let status: Int
    /// The media type, lowercased without parameters: `text/html` or `application/xhtml+xml`.
    public let mediaType: String
    /// The `charset` parameter of the content type, when given.
    public let charset: String?
    /// The body, at most `max_body_bytes`.
    public let body: [UInt8]

    /// Parses the body as HTML, with the charset the server declared.
    public func parse() -> HTMLPage { HTMLPage(bytes: body, encoding: charset) }
}

/// A `Content-Type` header split into its media type and charset.
struct ContentType: Equatable {
    /// The media type, lowercased: `text/html`.
    let mediaType: String
    /// The charset parameter without quotes, if any.
    let charset: String?

    /// The media types the crawler parses.
    static let html: Set<String> = ["text/html", "application/xhtml+xml"]

    init(_ header: String) {
        let parts = header.split(separator: ";")
        mediaType = parts.first.map { $0.trimmingWhitespace().lowercased() } ?? ""
        var charset: String?
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingWhitespace().lowercased() == "charset" else { continue }
            let value = pair[1].trimmingWhitespace().filter { $0 != "\"" && $0 != "'" }
            charset = value.isEmpty ? nil : value
        }
        self.charset = charset
    }

    var isHTML: Bool { Self.html.contains(mediaType) }
}
