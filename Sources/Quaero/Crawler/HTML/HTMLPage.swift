/// What the crawler takes from one HTML page: its title, visible text, links and robots hints.
///
/// Parsed with libxml2's HTML parser in recovery mode, so broken markup still gives a page; no regular
/// expressions look at the HTML.
public struct HTMLPage: Sendable, Equatable {
    /// The `<title>`, whitespace collapsed; empty when there is none.
    public var title: String
    /// The visible text: no script, style, noscript, template or head content; whitespace collapsed within
    /// a line, one line per block (paragraph, heading, list item, cell, ...).
    public var text: String
    /// The `href` of every `<a>` and `<area>`, trimmed, in document order, each once; unresolved.
    public var links: [String]
    /// The `href` of the first `<base href>`, when there is one.
    public var baseHref: String?
    /// `<meta name="robots" content="nofollow">` (or `none`): links should not be followed.
    public var noFollow: Bool
    /// `<meta name="robots" content="noindex">` (or `none`): the page should not be stored.
    public var noIndex: Bool

    /// Creates a page from parts (for tests and other sources).
    public init(title: String = "", text: String = "", links: [String] = [], baseHref: String? = nil,
                noFollow: Bool = false, noIndex: Bool = false) {
        self.title = title
        self.text = text
        self.links = links
        self.baseHref = baseHref
        self.noFollow = noFollow
        self.noIndex = noIndex
    }

    /// Parses the bytes of an HTML document.
    /// - Parameters:
    ///   - bytes: the body as received.
    ///   - encoding: the charset from the `Content-Type` header, if any; otherwise libxml2 uses a byte order
    ///     mark or `<meta charset>`, and UTF-8 when neither is there.
    public init(bytes: [UInt8], encoding: String? = nil) {
        self = HTMLTreeWalker.parse(bytes, encoding: encoding)
    }

    /// Parses an HTML document held as a string.
    public init(html: String) {
        self.init(bytes: Array(html.utf8), encoding: "UTF-8")
    }
}
