import NIOHTTP1
import Quaero
import QuaeroTestSupport
import Testing

@Suite("PageFetcher against a real HTTP server on 127.0.0.1", .timeLimit(.minutes(1)))
struct PageFetcherTests {
    static let site: @Sendable (TestRequest) -> TestResponse = { request in
        switch request.path {
        case "/page": .html("<html><head><title>Page</title></head><body><p>Hello <a href='/next'>next</a></p></body></html>")
        case "/latin1":
            TestResponse(headers: [("Content-Type", "text/html; charset=ISO-8859-1")], body: Array("<p>caf".utf8) + [0xe9] + Array("</p>".utf8))
        case "/xhtml": TestResponse(headers: [("Content-Type", "application/xhtml+xml")], body: Array("<p>x</p>".utf8))
        case "/r1": .redirect("/r2", status: .movedPermanently)
        case "/r2": .redirect("r3#fragment", status: .found)
        case "/r3": .redirect("http://\(request.host)/page", status: .temporaryRedirect)
        case "/loop-a": .redirect("/loop-b")
        case "/loop-b": .redirect("/loop-a")
        case "/to-mail": .redirect("mailto:someone@example.com")
        case "/no-location": TestResponse(status: .found, headers: [])
        case "/missing": .status(.notFound, "<p>not here</p>")
        case "/broken": .status(.internalServerError)
        case "/busy": .status(.tooManyRequests)
        case "/pdf": TestResponse(headers: [("Content-Type", "application/pdf")], body: Array("%PDF-1.4".utf8))
        case "/untyped": TestResponse(headers: [], body: Array("<p>x</p>".utf8))
        case "/big": .html(String(repeating: "x", count: 5_000))
        case "/big-chunked": TestResponse(body: Array(repeating: 0x78, count: 5_000), chunkSize: 1_000)
        case "/exact": TestResponse(body: Array(repeating: 0x78, count: 1_000), chunkSize: 300)
        case "/slow": TestResponse(body: Array("<p>late</p>".utf8), delay: .seconds(20))
        case "/trickle": TestResponse(body: Array(repeating: 0x78, count: 100), chunkSize: 5, chunkDelay: .milliseconds(100))
        case "/robots.txt": TestResponse(headers: [("Content-Type", "text/plain")], body: Array("User-agent: *\nDisallow: /private".utf8))
        default: .status(.notFound)
        }
    }

    private func settings(_ change: (inout CrawlerSettings) -> Void = { _ in }) -> CrawlerSettings {
        var settings = CrawlerSettings()
        settings.requestTimeout = .seconds(10)
        change(&settings)
        return settings
    }

    @Test("an HTML page: body, media type, charset, the User-Agent sent")
    func htmlPage() async throws {
        try await withSite { server, fetcher in
            let page = try await fetcher.fetchPage(try CrawlURL(server.url("/page")), settings: settings { $0.userAgent = "TestBot/1.0" })
            #expect(page.status == 200)
            #expect(page.mediaType == "text/html")
            #expect(page.charset == "utf-8")
            #expect(page.url.string == server.url("/page"))
            #expect(page.redirects.isEmpty)
            #expect(page.parse().title == "Page")
            #expect(page.parse().links == ["/next"])
            #expect(server.userAgents == ["TestBot/1.0"])

            let latin1 = try await fetcher.fetchPage(try CrawlURL(server.url("/latin1")), settings: settings())
            #expect(latin1.charset == "ISO-8859-1")
            #expect(latin1.parse().text == "café")
            #expect(try await fetcher.fetchPage(try CrawlURL(server.url("/xhtml")), settings: settings()).mediaType == "application/xhtml+xml")
        }
    }

    @Test("a redirect chain is followed to the final URL, fragments dropped; max_redirects limits it")
    func redirects() async throws {
        try await withSite { server, fetcher in
            let page = try await fetcher.fetchPage(try CrawlURL(server.url("/r1")), settings: settings { $0.maxRedirects = 3 })
            #expect(page.url.string == server.url("/page"))
            #expect(page.redirects.map(\.string) == [server.url("/r1"), server.url("/r2"), server.url("/r3")])
            #expect(server.paths == ["/r1", "/r2", "/r3", "/page"])

            let error = await #expect(throws: FetchError.self) {
                try await fetcher.fetchPage(try CrawlURL(server.url("/r1")), settings: settings { $0.maxRedirects = 2 })
            }
            #expect(error?.kind == .tooManyRedirects)
            #expect(error?.isRetryable == false)
            #expect(error?.message.contains("max_redirects") == true)
            let none = await #expect(throws: FetchError.self) {
                try await fetcher.fetchPage(try CrawlURL(server.url("/r1")), settings: settings { $0.maxRedirects = 0 })
            }
            #expect(none?.kind == .tooManyRedirects)
        }
    }

    @Test("redirect loops and unusable locations fail without retry", arguments: [
        ("/loop-a", FetchError.Kind.redirectLoop), ("/to-mail", .badRedirect), ("/no-location", .badRedirect),
    ])
    func badRedirects(path: String, kind: FetchError.Kind) async throws {
        try await withSite { server, fetcher in
            let error = await #expect(throws: FetchError.self) { try await fetcher.fetchPage(try CrawlURL(server.url(path)), settings: settings()) }
            #expect(error?.kind == kind)
            #expect(error?.isRetryable == false)
        }
    }

    @Test("HTTP errors: 4xx is final, 5xx and 429 may be retried", arguments: [
        ("/missing", 404, false), ("/broken", 500, true), ("/busy", 429, true),
    ])
    func statuses(path: String, status: Int, retryable: Bool) async throws {
        try await withSite { server, fetcher in
            let error = await #expect(throws: FetchError.self) { try await fetcher.fetchPage(try CrawlURL(server.url(path)), settings: settings()) }
            #expect(error?.kind == .httpStatus(status))
            #expect(error?.isRetryable == retryable)
            #expect(error?.message.contains("\(status)") == true)
        }
    }

    @Test("only HTML is accepted", arguments: [("/pdf", "application/pdf"), ("/untyped", "none")])
    func notHTML(path: String, shown: String) async throws {
        try await withSite { server, fetcher in
            let error = await #expect(throws: FetchError.self) { try await fetcher.fetchPage(try CrawlURL(server.url(path)), settings: settings()) }
            #expect(error?.kind == .notHTML(shown))
            #expect(error?.isRetryable == false)
        }
    }

    @Test("bodies over max_body_bytes are refused, with or without Content-Length; one at the limit is read")
    func bodyLimit() async throws {
        try await withSite { server, fetcher in
            for path in ["/big", "/big-chunked"] {
                let error = await #expect(throws: FetchError.self) {
                    try await fetcher.fetchPage(try CrawlURL(server.url(path)), settings: settings { $0.maxBodyBytes = 1_000 })
                }
                #expect(error?.kind == .bodyTooLarge)
                #expect(error?.message.contains("max_body_bytes") == true)
            }
            let exact = try await fetcher.fetchPage(try CrawlURL(server.url("/exact")), settings: settings { $0.maxBodyBytes = 1_000 })
            #expect(exact.body.count == 1_000)
        }
    }

    @Test("request_timeout bounds a slow answer and a slow body; the failure may be retried", arguments: ["/slow", "/trickle"])
    func timeouts(path: String) async throws {
        try await withSite { server, fetcher in
            let started = ContinuousClock.now
            let error = await #expect(throws: FetchError.self) {
                try await fetcher.fetchPage(try CrawlURL(server.url(path)), settings: settings { $0.requestTimeout = .milliseconds(400) })
            }
            #expect(error?.kind == .timeout)
            #expect(error?.isRetryable == true)
            #expect(error?.message.contains("request_timeout") == true)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test("a refused connection is a retryable connection error, for pages and robots.txt alike")
    func refused() async throws {
        let port = try await TestHTTPServer.run(Self.site) { $0.port }  // the server is closed again: nothing listens
        let fetcher = PageFetcher(connectTimeout: .milliseconds(300))
        let url = try CrawlURL("http://127.0.0.1:\(port)/page")
        let started = ContinuousClock.now
        let page = await #expect(throws: FetchError.self) { try await fetcher.fetchPage(url, settings: settings()) }
        let robots = await #expect(throws: FetchError.self) { try await fetcher.fetchRobotsTxt(for: url, settings: settings()) }
        try await fetcher.shutdown()
        #expect(page?.kind == .connection)
        #expect(page?.isRetryable == true)
        #expect(page?.message.contains(url.string) == true)
        #expect(robots?.kind == .connection)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("cancelling the task cancels the fetch")
    func cancellation() async throws {
        try await withSite { server, fetcher in
            let url = try CrawlURL(server.url("/slow"))
            let task = Task { try await fetcher.fetchPage(url, settings: settings()) }
            #expect(await waitUntil { server.paths.contains("/slow") })
            task.cancel()
            let result = await task.result
            #expect(throws: CancellationError.self) { try result.get() }
        }
    }

    @Test("robots.txt: parsed on 200, allow-all on 404, disallow-all on 5xx, redirects followed")
    func robots() async throws {
        try await withSite { server, fetcher in
            let robots = try await fetcher.fetchRobotsTxt(for: try CrawlURL(server.url("/some/page")), settings: settings())
            #expect(!robots.allows(path: "/private/x", userAgent: "Quaero"))
            #expect(robots.allows(path: "/public", userAgent: "Quaero"))
            #expect(server.paths == ["/robots.txt"])
        }
        try await TestHTTPServer.run({ _ in .status(.notFound) }) { server in
            let fetcher = PageFetcher()
            let robots = try await fetcher.fetchRobotsTxt(for: try CrawlURL(server.url("/")), settings: settings())
            try await fetcher.shutdown()
            #expect(robots == .allowAll)
        }
        try await TestHTTPServer.run({ _ in .status(.serviceUnavailable) }) { server in
            let fetcher = PageFetcher()
            let robots = try await fetcher.fetchRobotsTxt(for: try CrawlURL(server.url("/")), settings: settings())
            try await fetcher.shutdown()
            #expect(robots == .disallowAll)
        }
        try await TestHTTPServer.run({ request in
            request.path == "/robots.txt" ? .redirect("/real-robots.txt") : TestResponse(headers: [], body: Array("User-agent: *\nDisallow: /".utf8))
        }) { server in
            let fetcher = PageFetcher()
            let robots = try await fetcher.fetchRobotsTxt(for: try CrawlURL(server.url("/")), settings: settings())
            try await fetcher.shutdown()
            #expect(!robots.allows(path: "/x", userAgent: "Quaero"))
            #expect(server.paths == ["/robots.txt", "/real-robots.txt"])
        }
    }

    /// Runs `body` with the test site and a fetcher, shutting the fetcher down afterwards.
    private func withSite(_ body: (TestHTTPServer, PageFetcher) async throws -> Void) async throws {
        try await TestHTTPServer.run(Self.site) { server in
            let fetcher = PageFetcher()
            do {
                try await body(server, fetcher)
            } catch {
                try? await fetcher.shutdown()
                throw error
            }
            try await fetcher.shutdown()
        }
    }
}
