/// A validated crawl: its seeds in normal form, its compiled patterns and its settings, and the rule that
/// decides which discovered links are followed.
public struct CrawlScope: Sendable, Equatable {
    /// The seed URLs, normalized and without duplicates, in the order given.
    public let seeds: [CrawlURL]
    /// Include patterns; when there are any, a link must match one.
    public let include: [CrawlPattern]
    /// Exclude patterns; a link that matches one is skipped.
    public let exclude: [CrawlPattern]
    /// Depth, page limit, same-host rule and HTTP settings.
    public let settings: CrawlerSettings
    /// The `authority` (host and port) of every seed: what `same_host` allows.
    public let seedAuthorities: Set<String>

    init(seeds: [CrawlURL], include: [CrawlPattern], exclude: [CrawlPattern], settings: CrawlerSettings) {
        self.seeds = seeds
        self.include = include
        self.exclude = exclude
        self.settings = settings
        seedAuthorities = Set(seeds.map(\.authority))
    }

    /// Whether a link found on a page of depth `depth - 1` (so the link itself has `depth`) is followed.
    ///
    /// Seeds are not put through this: they are fetched whatever the patterns say. `max_pages` is the
    /// crawler's to count, since it depends on what is already stored.
    public func verdict(for url: CrawlURL, depth: Int) -> LinkVerdict {
        if depth > settings.maxDepth { return .skip(.tooDeep(depth: depth, maxDepth: settings.maxDepth)) }
        if settings.sameHost && !seedAuthorities.contains(url.authority) { return .skip(.otherHost(url.authority)) }
        if let pattern = exclude.first(where: { $0.matches(url.string) }) { return .skip(.excluded(pattern.source)) }
        if !include.isEmpty && !include.contains(where: { $0.matches(url.string) }) { return .skip(.notIncluded) }
        return .follow
    }
}

/// Whether a discovered link is followed, and why not.
public enum LinkVerdict: Sendable, Equatable {
    /// Enqueue it (once per crawl).
    case follow
    /// Leave it.
    case skip(LinkSkipReason)
}

/// Why a discovered link is not followed, for the job's log.
public enum LinkSkipReason: Sendable, Equatable, CustomStringConvertible {
    /// Its depth is beyond `max_depth`.
    case tooDeep(depth: Int, maxDepth: Int)
    /// `same_host` is on and its host is not a seed's.
    case otherHost(String)
    /// It matches this exclude pattern.
    case excluded(String)
    /// There are include patterns and it matches none.
    case notIncluded

    public var description: String {
        switch self {
        case .tooDeep(let depth, let maxDepth): "depth \(depth) is beyond max_depth \(maxDepth)"
        case .otherHost(let authority): "\(authority) is not the host of a seed URL (same_host)"
        case .excluded(let pattern): "it matches the exclude pattern \(pattern)"
        case .notIncluded: "it matches no include pattern"
        }
    }
}
