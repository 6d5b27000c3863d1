import Foundation

/// An include or exclude pattern, compiled once: an `NSRegularExpression` searched anywhere in the
/// normalized URL (anchor it with `^` or `$` to match a prefix or suffix).
public struct CrawlPattern: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written.
    public let source: String
    private let regex: Regex

    /// Compiles `source`.
    /// - Throws: the reason from NSRegularExpression when it is not a valid pattern.
    init(_ source: String) throws {
        self.source = source
        regex = Regex(expression: try NSRegularExpression(pattern: source))
    }

    /// Whether the pattern occurs in `url`.
    public func matches(_ url: String) -> Bool {
        regex.expression.firstMatch(in: url, range: NSRange(url.startIndex..., in: url)) != nil
    }

    public var description: String { source }

    public static func == (lhs: CrawlPattern, rhs: CrawlPattern) -> Bool { lhs.source == rhs.source }

    /// `@unchecked Sendable`: an NSRegularExpression is immutable once made, and Apple documents it as
    /// safe to use from several threads at once.
    private struct Regex: @unchecked Sendable {
        let expression: NSRegularExpression
    }
}
