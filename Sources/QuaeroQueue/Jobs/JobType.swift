/// The type of a job or message, which routes it to its handler.
public struct JobType: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    /// A crawl: the parent of its `crawlerURL` children.
    public static let parent: JobType = "parent"
    /// Fetch one URL of a crawl.
    public static let crawlerURL: JobType = "crawler_url"
    /// Summarize documents.
    public static let summarizer: JobType = "summarizer"
    /// Delete old jobs and dead letters.
    public static let cleanup: JobType = "cleanup"
}
