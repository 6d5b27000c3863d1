import Quaero
import Testing

@Suite("robots.txt: groups, longest match, wildcards, status codes")
struct RobotsTxtTests {
    private let agent = "Quaero/0.1.0 (+https://github.com/quaero/quaero)"

    private func allowed(_ robots: String, _ path: String, agent: String? = nil) -> Bool {
        RobotsTxt(parsing: robots).allows(path: path, userAgent: agent ?? self.agent)
    }

    @Test("the longest matching pattern wins; Allow wins a tie (Google's and RFC 9309's examples)")
    func precedence() {
        #expect(allowed("User-agent: *\nAllow: /p\nDisallow: /", "/page"))
        #expect(allowed("User-agent: *\nAllow: /folder\nDisallow: /folder", "/folder/page"))
        #expect(!allowed("User-agent: *\nAllow: /page\nDisallow: /*.htm", "/page.htm"))
        #expect(allowed("User-agent: *\nAllow: /$\nDisallow: /", "/"))
        #expect(!allowed("User-agent: *\nAllow: /$\nDisallow: /", "/page.htm"))
        #expect(!allowed("User-agent: *\nDisallow: /example/\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif", "/example/page/disallowed.gif"))
        #expect(allowed("User-agent: *\nDisallow: /example/\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif", "/example/page/ok.gif"))
        #expect(!allowed("User-agent: *\nDisallow: /example/\nAllow: /example/page/", "/example/other"))
        #expect(allowed("User-agent: *\nDisallow: /example/", "/examples"))
        // Order in the file does not matter.
        #expect(allowed("User-agent: *\nDisallow: /\nAllow: /public/", "/public/x"))
    }

    @Test("wildcards: * anywhere, $ at the end; without $ a pattern matches a prefix", arguments: [
        ("/*.gif$", "/a.gif", false), ("/*.gif$", "/dir/b.gif", false), ("/*.gif$", "/a.gif?x=1", true),
        ("/*.gif$", "/a.gifs", true), ("/fish*", "/fish.html", false), ("/fish", "/fishheads/x", false),
        ("/fish", "/Fish.asp", true), ("/fish/", "/fish", true), ("/private*/", "/private1/x", false),
        ("/private*/", "/private", true), ("/*?", "/page?q=1", false), ("/*?", "/page", true),
        ("/*/secret/", "/a/b/secret/c", false), ("/a$", "/a", false), ("/a$", "/ab", true), ("/a*$", "/abc", false),
        ("*.pdf", "/doc/x.pdf", false), ("/$x", "/$x/y", false), ("/**", "/", false),
    ])
    func wildcards(pattern: String, path: String, allowed expected: Bool) {
        #expect(allowed("User-agent: *\nDisallow: \(pattern)", path) == expected)
    }

    @Test("groups: shared User-agent lines, the named group over *, merging, case, product tokens")
    func groups() {
        let robots = """
            Disallow: /before-any-group
            User-agent: OtherBot
            User-agent: QUAERO
            Disallow: /quaero-only

            User-agent: *
            Disallow: /everyone

            user-agent: quaero/2.0
            disallow: /also-quaero
            """
        #expect(allowed(robots, "/before-any-group"))
        #expect(!allowed(robots, "/quaero-only"))
        #expect(!allowed(robots, "/also-quaero"), "both groups naming quaero apply, merged")
        #expect(allowed(robots, "/everyone"), "the named groups replace the * group")
        #expect(!allowed(robots, "/quaero-only", agent: "OtherBot/1.0"))
        #expect(allowed(robots, "/also-quaero", agent: "OtherBot/1.0"))
        #expect(!allowed(robots, "/everyone", agent: "Somebody"))
        #expect(allowed(robots, "/quaero-only", agent: "Somebody"))
        #expect(allowed("User-agent: OtherBot\nDisallow: /", "/x"), "no group for us and no *: everything is allowed")
        #expect(RobotsTxt.productToken(of: agent) == "quaero")
        #expect(RobotsTxt.productToken(of: "my_crawler-2 x") == "my_crawler-")
    }

    @Test("comments, CRLF and CR line ends, blank lines, a BOM, odd case and junk lines")
    func syntax() {
        let robots = "\u{FEFF}# comment\r\nUSER-AGENT : * # trailing comment\r\n\r\nDISALLOW:/secret # why\rjunk line without colon\nunknown-field: /x\nDisallow:    /spaced   \n"
        #expect(!allowed(robots, "/secret/file"))
        #expect(!allowed(robots, "/spaced"))
        #expect(allowed(robots, "/x"))
        #expect(allowed(robots, "/public"))
    }

    @Test("an empty Disallow allows everything; patterns not starting with / or * are ignored")
    func emptyAndInvalid() {
        #expect(allowed("User-agent: *\nDisallow:", "/anything"))
        #expect(allowed("User-agent: *\nDisallow: private", "/private"))
        #expect(allowed("", "/anything"))
        #expect(allowed("User-agent: *\nDisallow: /\nAllow:", "/robots.txt"), "robots.txt itself is always allowed")
        #expect(!allowed("User-agent: *\nDisallow: /", ""), "an empty path is /")
    }

    @Test("paths and patterns are compared in the same percent-encoded form")
    func percentEncoding() {
        #expect(!allowed("User-agent: *\nDisallow: /%7Ejoe", "/~joe/index.html"))
        #expect(!allowed("User-agent: *\nDisallow: /~joe", "/%7ejoe/index.html"))
        #expect(!allowed("User-agent: *\nDisallow: /caf\u{e9}", "/caf%C3%A9/menu"))
        #expect(!allowed("User-agent: *\nDisallow: /a%3cb", "/a%3Cb"))
        let url = try! CrawlURL("https://example.com/caf\u{e9}/x?q=1")
        #expect(!RobotsTxt(parsing: "User-agent: *\nDisallow: /caf%c3%a9/").allows(url, userAgent: agent))
    }

    @Test("fetch outcomes: 2xx is parsed, 3xx and 4xx allow all, 5xx disallows all", arguments: [
        (200, false), (204, false), (301, true), (404, true), (401, true), (403, true), (500, false), (503, false), (0, false),
    ])
    func statuses(status: Int, allowsPrivate: Bool) {
        let robots = RobotsTxt(status: status, body: "User-agent: *\nDisallow: /private")
        #expect(robots.allows(path: "/private", userAgent: agent) == allowsPrivate)
        #expect(robots.allows(path: "/robots.txt", userAgent: agent))
    }

    @Test("Crawl-delay of the applicable group and Sitemap lines are read")
    func extras() {
        let robots = RobotsTxt(parsing: """
            Sitemap: https://example.com/sitemap.xml
            User-agent: quaero
            Crawl-delay: 2.5
            Disallow: /x
            User-agent: *
            Crawl-delay: 10
            Crawl-delay: not-a-number
            Sitemap: https://example.com/other.xml
            """)
        #expect(robots.crawlDelay(for: agent) == .milliseconds(2500))
        #expect(robots.crawlDelay(for: "Other") == .seconds(10))
        #expect(RobotsTxt.allowAll.crawlDelay(for: agent) == nil)
        #expect(robots.sitemaps == ["https://example.com/sitemap.xml", "https://example.com/other.xml"])
    }

    @Test("hostile inputs stay fast: many stars against a long path, and a file far over the parse limit",
          .timeLimit(.minutes(1)))
    func hostile() {
        let stars = "/" + String(repeating: "*a", count: 200) + "b"
        let path = "/" + String(repeating: "a", count: 20_000)
        #expect(allowed("User-agent: *\nDisallow: \(stars)", path))
        let filler = String(repeating: "# filler line for size\n", count: 30_000)
        let huge = "User-agent: *\nDisallow: /early\n" + filler + "Disallow: /late\n"
        #expect(!allowed(huge, "/early"))
        #expect(allowed(huge, "/late"), "rules past the first 500 KiB are not read")
        // A multi-byte character cut by the limit does no harm.
        let cut = "User-agent: *\nDisallow: /early\n#" + String(repeating: "é", count: RobotsTxt.parseLimit)
        #expect(!allowed(cut, "/early"))
    }
}
