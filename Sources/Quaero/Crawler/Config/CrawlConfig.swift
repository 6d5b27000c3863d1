public import QuaeroQueue

/// One crawl as requested: `{"urls": [...], "max_depth": 2, "include": [...], ...}` over `[crawler]` defaults.
///
/// Nothing here is checked until `validated()`, which turns it into a `CrawlScope` or says what is wrong,
/// before anything is enqueued.
public struct CrawlConfig: Sendable, Equatable {
    /// The seed URLs, as given.
    public var urls: [String]
    /// Regular expressions; when any are given, a discovered link must match one of them.
    public var include: [String]
    /// Regular expressions; a discovered link that matches any of them is not followed.
    public var exclude: [String]
    /// Depth, page limit, same-host rule and HTTP settings: the `[crawler]` defaults unless overridden.
    public var settings: CrawlerSettings

    /// Creates a crawl of `urls` with the given defaults.
    public init(urls: [String], include: [String] = [], exclude: [String] = [], settings: CrawlerSettings = CrawlerSettings()) {
        self.urls = urls
        self.include = include
        self.exclude = exclude
        self.settings = settings
    }

    /// The JSON keys a crawl config may have.
    public static let keys = ["urls", "include", "exclude", "max_depth", "max_pages", "same_host", "user_agent",
                              "request_timeout", "max_body_bytes", "max_redirects", "per_host_concurrency", "per_host_rate",
                              "respect_robots"]

    /// Reads a crawl config from JSON (the `config` of `POST /api/jobs`, or a stored job's config); keys
    /// that are missing take their value from `defaults`.
    ///
    /// `request_timeout` is a duration text (`"10s"`, `"500ms"`) or a number of seconds.
    /// - Throws: `JobConfigError` naming the key, for an unknown key or a value of the wrong type.
    public init(json: JSONValue, defaults: CrawlerSettings = CrawlerSettings()) throws(JobConfigError) {
        let reader = try JSONFieldReader(job: "crawl", json: json, keys: Self.keys, example: "{\"urls\": [\"https://example.com/\"]}")
        self.init(urls: try reader.strings("urls") ?? [], include: try reader.strings("include") ?? [],
                  exclude: try reader.strings("exclude") ?? [], settings: defaults)
        try reader.read("max_depth", into: &settings.maxDepth)
        try reader.read("max_pages", into: &settings.maxPages)
        try reader.read("same_host", into: &settings.sameHost)
        try reader.read("user_agent", into: &settings.userAgent)
        try reader.read("request_timeout", into: &settings.requestTimeout)
        try reader.read("max_body_bytes", into: &settings.maxBodyBytes)
        try reader.read("max_redirects", into: &settings.maxRedirects)
        try reader.read("per_host_concurrency", into: &settings.perHostConcurrency)
        try reader.read("per_host_rate", into: &settings.perHostRate)
        try reader.read("respect_robots", into: &settings.respectRobots)
    }

    /// The whole effective config as JSON (every key), to store with the crawl job so that workers and
    /// reruns use exactly these values, whatever the defaults are by then.
    public var json: JSONValue {
        .object([
            "urls": .array(urls.map(JSONValue.string)),
            "include": .array(include.map(JSONValue.string)),
            "exclude": .array(exclude.map(JSONValue.string)),
            "max_depth": .number(Double(settings.maxDepth)),
            "max_pages": .number(Double(settings.maxPages)),
            "same_host": .bool(settings.sameHost),
            "user_agent": .string(settings.userAgent),
            "request_timeout": .string(DurationText.format(settings.requestTimeout)),
            "max_body_bytes": .number(Double(settings.maxBodyBytes)),
            "max_redirects": .number(Double(settings.maxRedirects)),
            "per_host_concurrency": .number(Double(settings.perHostConcurrency)),
            "per_host_rate": .string(settings.perHostRate?.text ?? ""),
            "respect_robots": .bool(settings.respectRobots),
        ])
    }
}
