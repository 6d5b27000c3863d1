public import QuaeroQueue

/// `[crawler]`: the defaults of every crawl, each of which a crawl's own config may override.
public struct CrawlerSettings: Sendable, Equatable {
    /// Links are followed this many steps from a seed (seeds have depth 0).
    public var maxDepth = 2
    /// A crawl stores at most this many pages.
    public var maxPages = 500
    /// Only links to the host (and port) of a seed URL are followed.
    public var sameHost = true
    /// The `User-Agent` header; its first word is also the name matched against robots.txt groups.
    public var userAgent = "Quaero/1.0"
    /// How long one request may take, connecting included.
    public var requestTimeout = Duration.seconds(10)
    /// A response body larger than this is not read.
    public var maxBodyBytes = 5 * 1024 * 1024
    /// Redirects followed at most for one URL.
    public var maxRedirects = 5
    /// Requests to one host that may run at the same time, across every process.
    public var perHostConcurrency = 2
    /// How often a request to one host may start, across every process (nil: no limit).
    public var perHostRate: Rate?
    /// Whether robots.txt is fetched and obeyed.
    public var respectRobots = true

    /// Creates the defaults.
    public init() {}
}

extension CrawlerSettings {
    /// `max_depth`: the allowed values, of `[crawler]` and of every crawl's own config.
    public static let maxDepthRange = 0...1_000
    /// `max_redirects`: the allowed values.
    public static let maxRedirectsRange = 0...100
    /// `per_host_concurrency`: the allowed values.
    public static let perHostConcurrencyRange = 1...1_000

    /// The limits of each host's key: `per_host_concurrency` in flight, `per_host_rate` starts.
    public var hostLimit: FlowLimit? {
        try? FlowLimit(maxInFlight: max(1, perHostConcurrency), rate: perHostRate)
    }
}
