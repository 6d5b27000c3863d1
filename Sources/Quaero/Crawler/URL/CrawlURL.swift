/// An absolute http or https URL in normal form: the crawler's unit of identity.
///
/// Two links to the same page give equal `CrawlURL`s, so `string` serves as the dedup key of a crawl and
/// the `documents.url` column. Normal form (RFC 3986 §6.2.2 plus the usual crawler rules): scheme and host
/// in lowercase, the default port dropped, dot segments removed, an empty path written `/`, percent-escapes
/// in uppercase with unreserved characters decoded, spaces and other characters that may not appear in a
/// URL percent-encoded, the fragment dropped, an empty query dropped, the query otherwise kept as written.
public struct CrawlURL: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// `http` or `https`.
    public let scheme: String
    /// The host in lowercase (an IPv6 literal keeps its brackets).
    public let host: String
    /// The port, or nil for the scheme's default (80, 443).
    public let port: Int?
    /// The path; never empty, always starting with `/`.
    public let path: String
    /// The query without its `?`, or nil when there is none.
    public let query: String?

    /// Parses and normalizes an absolute URL.
    /// - Throws: `CrawlURLError` when it is empty, relative, not http(s), or has a bad host or port.
    public init(_ text: String) throws(CrawlURLError) {
        let cleaned = Self.clean(text)
        guard !cleaned.isEmpty else { throw .empty }
        let reference = URIReference(parsing: cleaned)
        guard reference.scheme != nil else { throw .notAbsolute(text) }
        try self.init(reference: reference.resolved(against: reference), original: text)
    }

    /// Resolves a link found on this page, as a browser would.
    /// - Parameters:
    ///   - href: the link as written (relative or absolute; a fragment is dropped).
    ///   - base: the page's `<base href>`, itself resolved against this URL, when it has one.
    /// - Throws: `CrawlURLError` when the result is not a usable http(s) URL (`mailto:`, `javascript:`, ...).
    public func resolve(_ href: String, base: String? = nil) throws(CrawlURLError) -> CrawlURL {
        var baseReference = URIReference(parsing: string)
        if let base, !Self.clean(base).isEmpty {
            baseReference = URIReference(parsing: Self.clean(base)).resolved(against: baseReference)
        }
        let target = URIReference(parsing: Self.clean(href)).resolved(against: baseReference)
        return try CrawlURL(reference: target, original: href)
    }

    private init(reference: URIReference, original: String) throws(CrawlURLError) {
        let scheme = (reference.scheme ?? "").lowercased()
        guard scheme == "http" || scheme == "https" else { throw .unsupportedScheme(scheme, original) }
        guard let authority = reference.authority else { throw .missingHost(original) }
        let parts = try Self.splitAuthority(authority, original: original)
        self.scheme = scheme
        host = parts.host
        port = parts.port == (scheme == "https" ? 443 : 80) ? nil : parts.port
        let path = URIReference.removeDotSegments(PercentEncoding.normalize(reference.path, keeping: "/"))
        self.path = path.isEmpty ? "/" : path
        let query = reference.query.map { PercentEncoding.normalize($0, keeping: "/?") }
        self.query = query?.isEmpty == true ? nil : query
    }

    /// `host`, with `:port` when the port is not the default: what `same_host` compares.
    public var authority: String { port.map { "\(host):\($0)" } ?? host }
    /// `scheme://authority`: whose robots.txt applies, and the key of per-host limits.
    public var origin: String { "\(scheme)://\(authority)" }
    /// The path with `?query`: what robots.txt rules match, and the request target.
    public var pathAndQuery: String { query.map { "\(path)?\($0)" } ?? path }
    /// The whole URL in normal form.
    public var string: String { origin + pathAndQuery }
    /// The robots.txt that governs this URL.
    public var robotsTxtURL: CrawlURL {
        // Safe: built from an already valid scheme and authority.
        try! CrawlURL("\(origin)/robots.txt")
    }

    public var description: String { string }

    public static func < (lhs: CrawlURL, rhs: CrawlURL) -> Bool { lhs.string < rhs.string }

    /// The text as a browser reads an href: surrounding spaces and controls trimmed, tabs and newlines
    /// inside removed, and backslashes before the query read as slashes.
    static func clean(_ text: String) -> String {
        let isJunk: (Unicode.Scalar) -> Bool = { $0.value <= 0x20 }
        var scalars = Substring(text).unicodeScalars.drop(while: isJunk)
        while let last = scalars.last, isJunk(last) { scalars = scalars.dropLast() }
        var out = String.UnicodeScalarView()
        var inQuery = false
        for scalar in scalars where scalar != "\t" && scalar != "\n" && scalar != "\r" {
            if scalar == "?" || scalar == "#" { inQuery = true }
            out.append(scalar == "\\" && !inQuery ? "/" : scalar)
        }
        return String(out)
    }

    private static func splitAuthority(_ authority: String, original: String) throws(CrawlURLError) -> (host: String, port: Int?) {
        if authority.contains("@") { throw .credentials(original) }
        var host = Substring(authority)
        var portText: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw .invalidHost(original) }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw .invalidHost(original) }
            host = host[...close]
        } else if let colon = host.lastIndex(of: ":") {
            portText = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        let badHostCharacters = Set(" <>\"{}|\\^`%/?#[]@".unicodeScalars)
        let plainHost = host.hasPrefix("[") ? host.dropFirst().dropLast() : host
        guard !host.isEmpty,
              !plainHost.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f || badHostCharacters.contains($0) })
        else { throw host.isEmpty ? .missingHost(original) : .invalidHost(original) }
        var port: Int?
        if let portText, !portText.isEmpty {
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(portText), number <= 65_535 else {
                throw .invalidPort(original)
            }
            port = number
        }
        return (host.lowercased(), port)
    }
}

/// Why a text is not a crawlable URL.
public enum CrawlURLError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing but spaces.
    case empty
    /// A relative reference where an absolute URL was needed.
    case notAbsolute(String)
    /// A scheme other than http and https (the scheme, then the text).
    case unsupportedScheme(String, String)
    /// No host (`http:/path`, `https://`).
    case missingHost(String)
    /// A host with characters no host may have.
    case invalidHost(String)
    /// A port that is not a number up to 65535.
    case invalidPort(String)
    /// A user name or password in the URL, which a crawler should not send around.
    case credentials(String)

    public var description: String {
        switch self {
        case .empty: "the URL is empty"
        case .notAbsolute(let text): "\"\(text)\" is not an absolute URL; write it with http:// or https://"
        case .unsupportedScheme(let scheme, let text):
            scheme.isEmpty ? "\"\(text)\" has no scheme; only http and https URLs can be crawled"
                : "\"\(text)\" uses the scheme \(scheme); only http and https URLs can be crawled"
        case .missingHost(let text): "\"\(text)\" has no host"
        case .invalidHost(let text): "\"\(text)\" has an invalid host"
        case .invalidPort(let text): "\"\(text)\" has an invalid port; a port is a number from 0 to 65535"
        case .credentials(let text): "\"\(text)\" contains a user name or password; remove it"
        }
    }
}
