extension CrawlConfig {
    /// Checks every field and compiles the patterns, so that a malformed crawl is refused before anything
    /// is enqueued.
    /// - Throws: `CrawlConfigError` naming the first field at fault: no URLs, a URL that is not absolute
    ///   http(s), a pattern that does not compile, or a number out of range.
    public func validated() throws(CrawlConfigError) -> CrawlScope {
        guard !urls.isEmpty else {
            throw CrawlConfigError(field: "urls", "is empty; give at least one http or https URL to start from")
        }
        var seeds: [CrawlURL] = []
        for (index, text) in urls.enumerated() {
            let seed: CrawlURL
            do { seed = try CrawlURL(text) } catch { throw CrawlConfigError(field: "urls[\(index)]", "is not usable: \(error)") }
            if !seeds.contains(seed) { seeds.append(seed) }
        }
        let include = try Self.compile(include, field: "include")
        let exclude = try Self.compile(exclude, field: "exclude")
        try settings.validate()
        return CrawlScope(seeds: seeds, include: include, exclude: exclude, settings: settings)
    }

    private static func compile(_ patterns: [String], field: String) throws(CrawlConfigError) -> [CrawlPattern] {
        var compiled: [CrawlPattern] = []
        for (index, pattern) in patterns.enumerated() {
            guard !pattern.isEmpty else {
                throw CrawlConfigError(field: "\(field)[\(index)]", "is an empty pattern, which would match every URL; remove it")
            }
            do {
                compiled.append(try CrawlPattern(pattern))
            } catch {
                // NSRegularExpression on Linux gives no reason beyond the pattern itself.
                throw CrawlConfigError(field: "\(field)[\(index)]",
                    "\"\(pattern)\" is not a valid regular expression (ICU syntax, as NSRegularExpression reads it)")
            }
        }
        return compiled
    }
}

extension CrawlerSettings {
    /// Checks every number and text for its allowed range.
    /// - Throws: `CrawlConfigError` naming the key at fault.
    public func validate() throws(CrawlConfigError) {
        guard maxDepth >= 0 else { throw CrawlConfigError(field: "max_depth", "must be 0 (the seeds only) or more, not \(maxDepth)") }
        guard maxPages >= 1 else { throw CrawlConfigError(field: "max_pages", "must be 1 or more, not \(maxPages)") }
        guard !userAgent.trimmingWhitespace().isEmpty else { throw CrawlConfigError(field: "user_agent", "is empty; give a name such as Quaero/1.0") }
        guard requestTimeout > .zero else {
            throw CrawlConfigError(field: "request_timeout", "must be longer than 0s, not \(DurationText.format(requestTimeout))")
        }
        guard maxBodyBytes >= 1 else { throw CrawlConfigError(field: "max_body_bytes", "must be 1 or more, not \(maxBodyBytes)") }
        guard maxRedirects >= 0 else { throw CrawlConfigError(field: "max_redirects", "must be 0 (follow none) or more, not \(maxRedirects)") }
        guard perHostConcurrency >= 1 else {
            throw CrawlConfigError(field: "per_host_concurrency", "must be 1 or more, not \(perHostConcurrency)")
        }
    }
}
