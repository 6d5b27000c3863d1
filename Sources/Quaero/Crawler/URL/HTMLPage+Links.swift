extension HTMLPage {
    /// The page's links resolved against `pageURL` and its `<base href>`, in normal form, each once, without
    /// links back to the page itself; and the links that are not crawlable, with the reason.
    public func resolvedLinks(at pageURL: CrawlURL) -> (links: [CrawlURL], unusable: [(href: String, reason: CrawlURLError)]) {
        var links: [CrawlURL] = []
        var seen: Set<CrawlURL> = [pageURL]
        var unusable: [(href: String, reason: CrawlURLError)] = []
        for href in self.links {
            do {
                let url = try pageURL.resolve(href, base: baseHref)
                if seen.insert(url).inserted { links.append(url) }
            } catch {
                unusable.append((href, error))
            }
        }
        return (links, unusable)
    }
}
