import QuaeroQueue

extension CrawlConfig {
    /// Checks every field and compiles the patterns, so that a malformed crawl is refused before anything
    /// is enqueued.
    /// - Throws: `JobConfigError` naming the first field at fault: no URLs, a URL that is not absolute
    ///   http(s), a pattern that does not compile, or a number out of range.
    public func validated() throws(JobConfigError) -> CrawlScope {
        guard !urls.isEmpty else {
            throw .crawl("urls", "is empty; give at least one http or https URL to start from")
        }
        var seeds: [CrawlURL] = []
        for (index, text) in urls.enumerated() {
            let seed: CrawlURL
            do { seed = try CrawlURL(text) } catch { throw .crawl("urls[\(index)]", "is not usable: \(error)") }
            if !seeds.contains(seed) { seeds.append(seed) }
        }
        let include = try Self.compile(include, field: "include")
        let exclude = try Self.compile(exclude, field: "exclude")
        try settings.validate()
        return CrawlScope(seeds: seeds, include: include, exclude: exclude, settings: settings)
    }

    private static func compile(_ patterns: [String], field: String) throws(JobConfigError) -> [CrawlPattern] {
        var compiled: [CrawlPattern] = []
        for (index, pattern) in patterns.enumerated() {
            guard !pattern.isEmpty else {
                throw .crawl("\(field)[\(index)]", "is an empty pattern, which would match every URL; remove it")
            }
            do {
                compiled.append(try CrawlPattern(pattern))
            } catch {
                // NSRegularExpression on Linux gives no reason beyond the pattern itself.
                throw .crawl("\(field)[\(index)]",
                    "\"\(pattern)\" is not a valid regular expression (ICU syntax, as NSRegularExpression reads it)")
            }
        }
        return compiled
    }
}

extension CrawlerSettings {
    /// Checks every number and text for its allowed range (the ranges of the `[crawler]` keys).
    /// - Throws: `JobConfigError` naming the key at fault.
    public func validate() throws(JobConfigError) {
        try Self.check(maxDepth, Self.maxDepthRange, "max_depth")
        guard maxPages >= 1 else { throw .crawl("max_pages", "must be 1 or more, not \(maxPages)") }
        guard !userAgent.trimmingWhitespace().isEmpty else { throw .crawl("user_agent", "is empty; give a name such as Quaero/1.0") }
        guard requestTimeout > .zero else {
            throw .crawl("request_timeout", "must be longer than 0s, not \(DurationText.format(requestTimeout))")
        }
        guard maxBodyBytes >= 1 else { throw .crawl("max_body_bytes", "must be 1 or more, not \(maxBodyBytes)") }
        try Self.check(maxRedirects, Self.maxRedirectsRange, "max_redirects")
        try Self.check(perHostConcurrency, Self.perHostConcurrencyRange, "per_host_concurrency")
    }

    private static func check(_ value: Int, _ range: ClosedRange<Int>, _ field: String) throws(JobConfigError) {
        guard range.contains(value) else {
            throw .crawl(field, "must be from \(range.lowerBound) to \(range.upperBound), not \(value)")
        }
    }
}
