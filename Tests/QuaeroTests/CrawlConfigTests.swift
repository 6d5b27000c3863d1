import Foundation
import Quaero
import QuaeroQueue
import Testing

@Suite("Crawl config: JSON, defaults, validation, link scope")
struct CrawlConfigTests {
    @Test("defaults come from [crawler]; the JSON overrides them; json writes every key back")
    func defaultsAndOverrides() throws {
        let defaults = CrawlerSettings()
        #expect(defaults.maxDepth == 2)
        #expect(defaults.maxPages == 500)
        #expect(defaults.sameHost)
        #expect(defaults.userAgent.hasPrefix("Quaero/"))
        #expect(defaults.requestTimeout == .seconds(10))
        #expect(defaults.maxBodyBytes == 5 * 1024 * 1024)
        #expect(defaults.maxRedirects == 5)
        #expect(defaults.perHostConcurrency == 2)
        #expect(defaults.respectRobots)

        var site = CrawlerSettings()
        site.maxPages = 50
        let config = try CrawlConfig(json: json("""
            {"urls": ["https://example.com/"], "max_depth": 1, "include": ["/docs/"], "exclude": ["\\\\.pdf$"],
             "same_host": false, "request_timeout": "1500ms", "respect_robots": false}
            """), defaults: site)
        #expect(config.urls == ["https://example.com/"])
        #expect(config.include == ["/docs/"])
        #expect(config.exclude == ["\\.pdf$"])
        #expect(config.settings.maxDepth == 1)
        #expect(config.settings.maxPages == 50)
        #expect(!config.settings.sameHost)
        #expect(config.settings.requestTimeout == .milliseconds(1500))
        #expect(!config.settings.respectRobots)
        #expect(config.settings.maxRedirects == 5)

        // Stored with the job, the config reads back the same whatever the defaults are by then.
        #expect(try CrawlConfig(json: config.json, defaults: CrawlerSettings()) == config)
        #expect(Set(config.json.objectValue?.keys.map { $0 } ?? []) == Set(CrawlConfig.keys))
    }

    @Test("request_timeout may be a number of seconds; a single URL may be given without brackets; null means default")
    func lenientForms() throws {
        let config = try CrawlConfig(json: json(#"{"urls": "https://example.com/", "request_timeout": 2.5, "max_depth": null}"#))
        #expect(config.urls == ["https://example.com/"])
        #expect(config.settings.requestTimeout == .milliseconds(2500))
        #expect(config.settings.maxDepth == 2)
    }

    @Test("JSON of the wrong shape is refused naming the key", arguments: [
        (#"[1, 2]"#, "config", "must be a JSON object"),
        (#"{"urls": ["https://example.com/"], "max_dept": 3}"#, "max_dept", "is not a crawl setting"),
        (#"{"urls": 5}"#, "urls", "must be a list of strings"),
        (#"{"urls": ["https://example.com/", 7]}"#, "urls[1]", "must be a string, not 7"),
        (#"{"urls": [], "max_depth": "2"}"#, "max_depth", "must be a whole number, not \"2\""),
        (#"{"urls": [], "max_pages": 1.5}"#, "max_pages", "must be a whole number, not 1.5"),
        (#"{"urls": [], "same_host": "yes"}"#, "same_host", "must be true or false"),
        (#"{"urls": [], "user_agent": 1}"#, "user_agent", "must be a string, not 1"),
        (#"{"urls": [], "request_timeout": "soon"}"#, "request_timeout", "must be a duration"),
        (#"{"urls": [], "include": {"a": 1}}"#, "include", "must be a list of strings"),
    ])
    func badJSON(text: String, field: String, problem: String) throws {
        let error = #expect(throws: JobConfigError.self) { try CrawlConfig(json: json(text)) }
        #expect(error?.field == field)
        #expect(error?.message.hasPrefix("crawl config: \(field) \(problem)") == true, "\(error?.message ?? "")")
    }

    @Test("malformed crawls are refused before anything is enqueued, naming the field", arguments: [
        (CrawlConfig(urls: []), "urls", "is empty"),
        (CrawlConfig(urls: ["https://example.com/", "ftp://example.com/file"]), "urls[1]", "uses the scheme ftp"),
        (CrawlConfig(urls: ["example.com"]), "urls[0]", "is not an absolute URL"),
        (CrawlConfig(urls: ["http://"]), "urls[0]", "has no host"),
        (CrawlConfig(urls: ["https://example.com/"], include: ["(unclosed"]), "include[0]", "\"(unclosed\" is not a valid regular expression"),
        (CrawlConfig(urls: ["https://example.com/"], exclude: ["ok", "[z-a]"]), "exclude[1]", "\"[z-a]\" is not a valid regular expression"),
        (CrawlConfig(urls: ["https://example.com/"], include: [""]), "include[0]", "is an empty pattern"),
        (CrawlConfig(urls: ["https://example.com/"], settings: with { $0.maxDepth = -1 }), "max_depth", "must be from 0 to 1000, not -1"),
        (CrawlConfig(urls: ["https://example.com/"], settings: with { $0.maxDepth = 100_000 }), "max_depth", "must be from 0 to 1000, not 100000"),
        (CrawlConfig(urls: ["https://example.com/"], settings: with { $0.maxPages = -5 }), "max_pages", "must be 1 or more, not -5"),
        (CrawlConfig(urls: ["https://example.com/"], settings: with { $0.maxPages = 0 }), "max_pages", "must be 1 or more, not 0"),
        (CrawlConfig(urls: ["https://example.com/"], settings: with { $0.userAgent = " " }), "user_agent", "is empty"),
        (CrawlConfig(urls: ["https://example.com/"], settings: with { $0.requestTimeout = .zero }), "request_timeout", "must be longer than 0s"),
        (CrawlConfig(urls: ["https://example.com/"], settings: with { $0.maxBodyBytes = 0 }), "max_body_bytes", "must be 1 or more"),
        (CrawlConfig(urls: ["https://example.com/"], settings: with { $0.maxRedirects = -1 }), "max_redirects", "must be from 0 to 100, not -1"),
        (CrawlConfig(urls: ["https://example.com/"], settings: with { $0.perHostConcurrency = 0 }), "per_host_concurrency", "must be from 1 to 1000, not 0"),
    ])
    func invalid(config: CrawlConfig, field: String, problem: String) {
        let error = #expect(throws: JobConfigError.self) { try config.validated() }
        #expect(error?.field == field)
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
    }

    @Test("a negative depth in JSON is refused by validation, with the field named")
    func negativeDepthFromJSON() throws {
        let config = try CrawlConfig(json: json(#"{"urls": ["https://example.com/"], "max_depth": -1}"#))
        let error = #expect(throws: JobConfigError.self) { try config.validated() }
        #expect(error?.description == "crawl config: max_depth must be from 0 to 1000, not -1")
    }

    @Test("seeds are normalized and deduplicated in order")
    func seeds() throws {
        let scope = try CrawlConfig(urls: ["HTTPS://Example.com", "https://example.com:443/#top", "http://other.example:8080/a/../b"]).validated()
        #expect(scope.seeds.map(\.string) == ["https://example.com/", "http://other.example:8080/b"])
        #expect(scope.seedAuthorities == ["example.com", "other.example:8080"])
    }

    @Test("the link verdict: depth, same host (with port), exclude before include")
    func verdicts() throws {
        var settings = CrawlerSettings()
        settings.maxDepth = 2
        let scope = try CrawlConfig(urls: ["http://127.0.0.1:8080/"], include: ["/docs/", "/blog/"],
                                    exclude: ["\\.pdf$", "/docs/private/"], settings: settings).validated()
        let url = { (text: String) in try CrawlURL(text) }
        #expect(scope.verdict(for: try url("http://127.0.0.1:8080/docs/a.html"), depth: 2) == .follow)
        #expect(scope.verdict(for: try url("http://127.0.0.1:8080/blog/post"), depth: 1) == .follow)
        #expect(scope.verdict(for: try url("http://127.0.0.1:8080/docs/a.html"), depth: 3) == .skip(.tooDeep(depth: 3, maxDepth: 2)))
        #expect(scope.verdict(for: try url("http://127.0.0.1:9090/docs/a.html"), depth: 1) == .skip(.otherHost("127.0.0.1:9090")))
        #expect(scope.verdict(for: try url("http://localhost:8080/docs/a.html"), depth: 1) == .skip(.otherHost("localhost:8080")))
        #expect(scope.verdict(for: try url("http://127.0.0.1:8080/docs/file.pdf"), depth: 1) == .skip(.excluded("\\.pdf$")))
        #expect(scope.verdict(for: try url("http://127.0.0.1:8080/docs/private/x"), depth: 1) == .skip(.excluded("/docs/private/")))
        #expect(scope.verdict(for: try url("http://127.0.0.1:8080/about"), depth: 1) == .skip(.notIncluded))
        #expect(LinkSkipReason.notIncluded.description == "it matches no include pattern")

        settings.sameHost = false
        let open = try CrawlConfig(urls: ["http://127.0.0.1:8080/"], settings: settings).validated()
        #expect(open.verdict(for: try url("https://anywhere.example/x"), depth: 1) == .follow)
        #expect(open.verdict(for: try url("https://anywhere.example/x"), depth: 0) == .follow)
    }

    @Test("max_depth 0 follows no links at all")
    func depthZero() throws {
        var settings = CrawlerSettings()
        settings.maxDepth = 0
        let scope = try CrawlConfig(urls: ["https://example.com/"], settings: settings).validated()
        #expect(scope.verdict(for: try CrawlURL("https://example.com/a"), depth: 1) == .skip(.tooDeep(depth: 1, maxDepth: 0)))
    }

    private func json(_ text: String) throws -> JSONValue { try JSONValue.parse(Data(text.utf8)) }
}

/// Default settings changed by `change`.
private func with(_ change: (inout CrawlerSettings) -> Void) -> CrawlerSettings {
    var settings = CrawlerSettings()
    change(&settings)
    return settings
}
