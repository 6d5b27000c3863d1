/// One `Allow` or `Disallow` line: a path pattern with `*` wildcards and an optional final `$`.
struct RobotsRule: Sendable, Equatable {
    /// Whether it allows (rather than disallows) what it matches.
    let allow: Bool
    /// The pattern, percent-encoding normalized like the paths it is matched against.
    let pattern: String
    private let bytes: [UInt8]
    private let anchored: Bool

    /// A rule, or nil for an empty pattern (an empty `Disallow` allows everything, so it adds nothing) or
    /// one that starts with neither `/` nor `*` (which RFC 9309's grammar does not allow).
    init?(allow: Bool, pattern raw: String) {
        guard let first = raw.first, first == "/" || first == "*" else { return nil }
        self.allow = allow
        pattern = PercentEncoding.normalize(raw, keeping: "/?")
        anchored = pattern.hasSuffix("$")
        bytes = Array(anchored ? pattern.utf8.dropLast() : pattern.utf8[...])
    }

    /// How specific the rule is: the length of its pattern in octets (RFC 9309 §2.2.2, "most octets").
    var specificity: Int { pattern.utf8.count }

    /// Whether the pattern matches `path` from its start (to its end when anchored by `$`).
    ///
    /// Wildcard matching that backtracks only to the last `*`, so it runs in O(pattern × path) at worst,
    /// whatever the input.
    func matches(_ path: String) -> Bool {
        let text = Array(path.utf8)
        let star = UInt8(ascii: "*")
        var p = 0, t = 0
        var lastStar: Int?
        var resume = 0
        while t < text.count {
            if p < bytes.count && bytes[p] == star {
                lastStar = p
                resume = t
                p += 1
            } else if p < bytes.count && bytes[p] == text[t] {
                p += 1
                t += 1
            } else if !anchored && p == bytes.count {
                return true  // the whole pattern matched a prefix
            } else if let star = lastStar {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < bytes.count && bytes[p] == star { p += 1 }
        return p == bytes.count
    }
}
