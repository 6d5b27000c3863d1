import QuaeroQueue

/// A parsed robots.txt (RFC 9309) and the decision whether a crawler may fetch a path.
///
/// Groups start with one or more `User-agent` lines; the crawler obeys the groups naming its product token
/// (case-insensitive; several such groups are merged), or else the `*` groups, or else nothing. Among the
/// `Allow` and `Disallow` rules that match a path the longest pattern wins, and `Allow` wins a tie.
/// Patterns match from the start of the path and query; `*` matches any run of characters and a final `$`
/// anchors the end. `/robots.txt` itself is always allowed.
public struct RobotsTxt: Sendable, Equatable {
    /// One group: the agents it names (lowercased) and its rules.
    struct Group: Sendable, Equatable {
        var agents: [String] = []
        var rules: [RobotsRule] = []
        var crawlDelay: Duration?
    }

    private(set) var groups: [Group]
    /// The `Sitemap` URLs listed, wherever they appear.
    public private(set) var sitemaps: [String] = []

    /// RFC 9309 §2.5: crawlers must parse at least the first 500 KiB; more is not read.
    public static let parseLimit = 500 * 1024

    /// Nothing is disallowed (no robots.txt, or a 4xx answer).
    public static let allowAll = RobotsTxt(groups: [])
    /// Everything is disallowed (a 5xx answer or no answer: RFC 9309 §2.3.1.4 says assume complete disallow).
    public static let disallowAll = RobotsTxt(groups: [Group(agents: ["*"], rules: [RobotsRule(allow: false, pattern: "/")!])])

    private init(groups: [Group]) {
        self.groups = groups
    }

    /// The rules that follow from fetching robots.txt: its body on a 2xx, allow-all on 3xx (redirects
    /// already followed and exhausted) and 4xx, disallow-all on 5xx (RFC 9309 §2.3.1).
    public init(status: Int, body: String) {
        switch status {
        case 200..<300: self.init(parsing: body)
        case 300..<500: self = .allowAll
        default: self = .disallowAll
        }
    }

    /// Parses robots.txt text; lines it does not understand are skipped, as the RFC asks.
    public init(parsing text: String) {
        self.init(groups: [])
        var body = Substring(text)
        if body.utf8.count > Self.parseLimit {
            // Decoding the cut bytes again repairs a character split at the limit.
            body = Substring(String(decoding: body.utf8.prefix(Self.parseLimit), as: UTF8.self))
        }
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }  // a byte order mark
        var current: Group?
        // Consecutive User-agent lines share one group; any rule line ends the run.
        var inAgentRun = false
        for rawLine in body.split(whereSeparator: \.isNewline) {  // "\r\n" is one Character
            var line = rawLine
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingWhitespace().lowercased()
            let value = line[line.index(after: colon)...].trimmingWhitespace()
            switch key {
            case "user-agent":
                if !inAgentRun {
                    if let current { groups.append(current) }
                    current = Group()
                }
                current?.agents.append(value.lowercased())
                inAgentRun = true
            case "allow", "disallow":
                inAgentRun = false
                if let rule = RobotsRule(allow: key == "allow", pattern: value) { current?.rules.append(rule) }
            case "crawl-delay":
                inAgentRun = false
                if let seconds = Double(value), seconds >= 0, seconds < 86_400 {
                    current?.crawlDelay = .milliseconds(Int64(seconds * 1000))
                }
            case "sitemap":
                if !value.isEmpty { sitemaps.append(value) }
            default:
                continue
            }
        }
        if let current { groups.append(current) }
    }

    /// Whether `userAgent` may fetch `url`.
    public func allows(_ url: CrawlURL, userAgent: String) -> Bool {
        allows(path: url.pathAndQuery, userAgent: userAgent)
    }

    /// Whether `userAgent` may fetch `path` (path and query, as in a request line).
    public func allows(path: String, userAgent: String) -> Bool {
        let path = PercentEncoding.normalize(path.isEmpty ? "/" : path, keeping: "/?")
        if path == "/robots.txt" { return true }
        var best: RobotsRule?
        for rule in rules(for: userAgent) where rule.matches(path) {
            if let current = best, current.specificity > rule.specificity || (current.specificity == rule.specificity && current.allow) {
                continue
            }
            best = rule
        }
        return best?.allow ?? true
    }

    /// The `Crawl-delay` of the groups that apply to `userAgent` (the longest, when several give one).
    public func crawlDelay(for userAgent: String) -> Duration? {
        applicableGroups(for: userAgent).compactMap(\.crawlDelay).max()
    }

    /// The name robots.txt groups are matched against: the leading letters, `_` and `-` of the user agent,
    /// lowercased (`Quaero/0.1 (+https://…)` gives `quaero`).
    public static func productToken(of userAgent: String) -> String {
        String(userAgent.prefix { $0.isASCII && ($0.isLetter || $0 == "_" || $0 == "-") }).lowercased()
    }

    private func rules(for userAgent: String) -> [RobotsRule] {
        applicableGroups(for: userAgent).flatMap(\.rules)
    }

    private func applicableGroups(for userAgent: String) -> [Group] {
        let token = Self.productToken(of: userAgent)
        let named = groups.filter { group in
            group.agents.contains { !token.isEmpty && Self.productToken(of: $0) == token }
        }
        return named.isEmpty ? groups.filter { $0.agents.contains("*") } : named
    }
}
