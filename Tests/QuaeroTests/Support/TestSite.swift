import NIOHTTP1

/// A generated site for crawl tests: a tree of 52 pages (root, 3 sections of 4 pages of 3 pages) with links
/// back up (cycles), relative, absolute and fragment links, a link to another host, mailto and javascript
/// links, a robots.txt that disallows /private/, and under /b the troublesome pages: a 404, a page that
/// always answers 500, one slower than the timeout, a PDF, an oversize page and a redirect chain.
enum TestSite {
    static let sections = ["a", "b", "c"]
    static let troublesome = ["/b/missing", "/b/error", "/b/slow", "/b/file.pdf", "/b/big", "/b/redirect"]

    /// Every good page (HTML, 200) by depth in the tree: the crawl's expected documents.
    static func pages(depth: Int) -> Set<String> {
        var pages: Set<String> = ["/"]
        if depth >= 1 { pages.formUnion(sections.map { "/\($0)" }) }
        if depth >= 2 {
            for section in sections { for i in 1...4 { pages.insert("/\(section)/\(i)") } }
            pages.insert("/b/landing")  // where /b/redirect ends
        }
        if depth >= 3 {
            for section in sections { for i in 1...4 { for j in 1...3 { pages.insert("/\(section)/\(i)/\(j)") } } }
        }
        return pages
    }

    /// The routes; `otherHost` is `127.0.0.1:port` of a second server.
    static func routes(otherHost: String) -> @Sendable (TestRequest) -> TestResponse {
        { request in
            let path = request.path
            let parts = path.split(separator: "/").map(String.init)
            switch path {
            case "/robots.txt":
                return TestResponse(headers: [("Content-Type", "text/plain")], body: Array("User-agent: *\nDisallow: /private/\n".utf8))
            case "/":
                return page("Home", links: ["/a", "b", "http://\(request.host)/c", "#top", "/private/secret",
                                            "mailto:someone@example.com", "javascript:void(0)", "http://\(otherHost)/x"])
            case "/b/missing": return .status(.notFound, "<p>gone</p>")
            case "/b/error": return .status(.internalServerError)
            case "/b/slow": return TestResponse(body: Array("<p>late</p>".utf8), delay: .seconds(5))
            case "/b/file.pdf": return TestResponse(headers: [("Content-Type", "application/pdf")], body: Array("%PDF-1.4".utf8))
            case "/b/big": return .html("<p>" + String(repeating: "big ", count: 10_000) + "</p>")
            case "/b/redirect": return .redirect("/b/hop", status: .movedPermanently)
            case "/b/hop": return .redirect("http://\(request.host)/b/landing")
            case "/b/landing": return page("Landing", links: ["/"])
            case "/private/secret": return page("Secret", links: [])
            default:
                guard let first = parts.first, sections.contains(first), parts.count <= 3,
                      parts.dropFirst().allSatisfy({ Int($0) != nil }) else { return .status(.notFound) }
                let children = parts.count == 1 ? 4 : parts.count == 2 ? 3 : 0
                // Children by relative links ("a/1" from "/a"), the parent and the root (cycles), fragments.
                var links = (0..<children).map { "\(parts.last!)/\($0 + 1)" }
                links += ["/" + parts.dropLast().joined(separator: "/"), "/", "#section"]
                if children > 0 { links.append("\(path)/1#frag") }
                if path == "/b" { links += troublesome }
                return page("Page \(path)", links: links)
            }
        }
    }

    private static func page(_ title: String, links: [String]) -> TestResponse {
        let anchors = links.map { "<li><a href=\"\($0)\">\($0)</a></li>" }.joined()
        return .html("<html><head><title>\(title)</title></head><body><h1>\(title)</h1><p>Text of \(title).</p><ul>\(anchors)</ul></body></html>")
    }
}
