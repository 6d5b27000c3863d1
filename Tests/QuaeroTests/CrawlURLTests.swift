@testable import Quaero
import Testing

@Suite("URLs: RFC 3986 resolution, normal form, links of a page")
struct CrawlURLTests {
    /// RFC 3986 §5.4.1 and §5.4.2, with the base "http://a/b/c/d;p?q".
    static let rfcExamples: [(String, String)] = [
        ("g:h", "g:h"), ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"),
        ("/g", "http://a/g"), ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"),
        ("#s", "http://a/b/c/d;p?q#s"), ("g#s", "http://a/b/c/g#s"), ("g?y#s", "http://a/b/c/g?y#s"),
        (";x", "http://a/b/c/;x"), ("g;x", "http://a/b/c/g;x"), ("g;x?y#s", "http://a/b/c/g;x?y#s"),
        ("", "http://a/b/c/d;p?q"), (".", "http://a/b/c/"), ("./", "http://a/b/c/"), ("..", "http://a/b/"),
        ("../", "http://a/b/"), ("../g", "http://a/b/g"), ("../..", "http://a/"), ("../../", "http://a/"),
        ("../../g", "http://a/g"),
        ("../../../g", "http://a/g"), ("../../../../g", "http://a/g"), ("/./g", "http://a/g"), ("/../g", "http://a/g"),
        ("g.", "http://a/b/c/g."), (".g", "http://a/b/c/.g"), ("g..", "http://a/b/c/g.."), ("..g", "http://a/b/c/..g"),
        ("./../g", "http://a/b/g"), ("./g/.", "http://a/b/c/g/"), ("g/./h", "http://a/b/c/g/h"),
        ("g/../h", "http://a/b/c/h"), ("g;x=1/./y", "http://a/b/c/g;x=1/y"), ("g;x=1/../y", "http://a/b/c/y"),
        ("g?y/./x", "http://a/b/c/g?y/./x"), ("g?y/../x", "http://a/b/c/g?y/../x"), ("g#s/./x", "http://a/b/c/g#s/./x"),
        ("g#s/../x", "http://a/b/c/g#s/../x"), ("http:g", "http:g"),
    ]

    @Test("every example of RFC 3986 §5.4 resolves as the RFC says", arguments: rfcExamples)
    func rfcResolution(reference: String, expected: String) {
        let base = URIReference(parsing: "http://a/b/c/d;p?q")
        #expect(URIReference(parsing: reference).resolved(against: base).string == expected)
    }

    @Test("links resolve against the page and drop their fragment", arguments: [
        ("g", "http://a/b/c/g"), ("../../g?x=1#frag", "http://a/g?x=1"), ("#only-fragment", "http://a/b/c/d;p?q"),
        ("//other.example/x", "http://other.example/x"), ("https://B.example:443/", "https://b.example/"),
        ("?", "http://a/b/c/d;p"), ("g h.html", "http://a/b/c/g%20h.html"), ("  g\n.html\t", "http://a/b/c/g.html"),
        ("..\\up\\x", "http://a/b/up/x"), ("/q?a=\\b", "http://a/q?a=%5Cb"),
    ])
    func pageLinks(href: String, expected: String) throws {
        let page = try CrawlURL("http://a/b/c/d;p?q")
        #expect(try page.resolve(href).string == expected)
    }

    @Test("normal form: case, default ports, dot segments, empty path, escapes, fragments", arguments: [
        ("HTTP://Example.COM", "http://example.com/"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com:80/a", "https://example.com:80/a"),
        ("http://example.com:/a", "http://example.com/a"),
        ("http://example.com/a/./b/../c", "http://example.com/a/c"),
        ("http://example.com/%7euser/%2fx/%e2%82%ac", "http://example.com/~user/%2Fx/%E2%82%AC"),
        ("http://example.com/%41/%2E%2E/b", "http://example.com/b"),
        ("http://example.com/100%", "http://example.com/100%25"),
        ("http://example.com/caf\u{e9}?q=caf\u{e9}", "http://example.com/caf%C3%A9?q=caf%C3%A9"),
        ("http://example.com/a?B=1&a=2#top", "http://example.com/a?B=1&a=2"),
        ("http://example.com/path/?", "http://example.com/path/"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
        ("http://example.com/a\"b<c>", "http://example.com/a%22b%3Cc%3E"),
    ])
    func normalForm(input: String, expected: String) throws {
        let url = try CrawlURL(input)
        #expect(url.string == expected)
        #expect(try CrawlURL(url.string) == url, "normal form is stable")
    }

    @Test("parts: authority, origin, path and query, robots.txt")
    func parts() throws {
        let url = try CrawlURL("https://Example.com:8443/a/b?x=1#f")
        #expect(url.scheme == "https")
        #expect(url.host == "example.com")
        #expect(url.port == 8443)
        #expect(url.authority == "example.com:8443")
        #expect(url.origin == "https://example.com:8443")
        #expect(url.pathAndQuery == "/a/b?x=1")
        #expect(url.robotsTxtURL.string == "https://example.com:8443/robots.txt")
        #expect(try CrawlURL("http://example.com/x").authority == "example.com")
    }

    @Test("texts that are not crawlable URLs are refused with the reason", arguments: [
        ("", CrawlURLError.empty),
        ("   ", .empty),
        ("/relative/path", .notAbsolute("/relative/path")),
        ("example.com/page", .notAbsolute("example.com/page")),
        ("mailto:someone@example.com", .unsupportedScheme("mailto", "mailto:someone@example.com")),
        ("javascript:void(0)", .unsupportedScheme("javascript", "javascript:void(0)")),
        ("ftp://example.com/file", .unsupportedScheme("ftp", "ftp://example.com/file")),
        ("file:///etc/passwd", .unsupportedScheme("file", "file:///etc/passwd")),
        ("data:text/html,hi", .unsupportedScheme("data", "data:text/html,hi")),
        ("http:/path", .missingHost("http:/path")),
        ("https://", .missingHost("https://")),
        ("http://exa mple.com/", .invalidHost("http://exa mple.com/")),
        ("http://example.com:99999/", .invalidPort("http://example.com:99999/")),
        ("http://example.com:8o/", .invalidPort("http://example.com:8o/")),
        ("http://user:secret@example.com/", .credentials("http://user:secret@example.com/")),
        ("http://[::1/", .invalidHost("http://[::1/")),
    ])
    func refused(input: String, expected: CrawlURLError) {
        #expect(throws: expected) { try CrawlURL(input) }
    }

    @Test("error messages say what is wrong")
    func messages() {
        #expect(CrawlURLError.unsupportedScheme("ftp", "ftp://x/").description == "\"ftp://x/\" uses the scheme ftp; only http and https URLs can be crawled")
        #expect(CrawlURLError.notAbsolute("x").description.contains("http://"))
    }

    @Test("a page's links: resolved with <base>, fragments and self links dropped, unusable ones reported")
    func resolvedLinks() throws {
        let page = HTMLPage(html: """
            <html><head><base href="/docs/v2/"></head><body>
            <a href="intro.html">intro</a>
            <a href="intro.html#setup">same page, other fragment</a>
            <a href="../v1/old.html">older</a>
            <a href="/index.html">root</a>
            <a href="https://other.example/">other host</a>
            <a href="#top">top</a>
            <a href="http://site.example/page">self</a>
            <a href="mailto:me@example.com">mail</a>
            <a href="javascript:alert(1)">js</a>
            <a href="tel:+123">phone</a>
            </body></html>
            """)
        let (links, unusable) = page.resolvedLinks(at: try CrawlURL("http://site.example/page"))
        #expect(links.map(\.string) == [
            "http://site.example/docs/v2/intro.html", "http://site.example/docs/v1/old.html",
            "http://site.example/index.html", "https://other.example/", "http://site.example/docs/v2/",
        ])
        #expect(unusable.map(\.href) == ["mailto:me@example.com", "javascript:alert(1)", "tel:+123"])
        #expect(unusable.first?.reason == .unsupportedScheme("mailto", "mailto:me@example.com"))
    }

    @Test("without <base>, links resolve against the page URL; an absolute <base> moves them to its host")
    func baseVariants() throws {
        let url = try CrawlURL("https://site.example/a/b.html")
        #expect(HTMLPage(links: ["c.html"]).resolvedLinks(at: url).links.map(\.string) == ["https://site.example/a/c.html"])
        let cdn = HTMLPage(links: ["c.html", "/d"], baseHref: "https://cdn.example/x/")
        #expect(cdn.resolvedLinks(at: url).links.map(\.string) == ["https://cdn.example/x/c.html", "https://cdn.example/d"])
        let javascriptBase = HTMLPage(links: ["c.html"], baseHref: "javascript:x")
        #expect(javascriptBase.resolvedLinks(at: url).links.isEmpty)
    }
}
