import AsyncHTTPClient
public import Logging
import NIOCore
import NIOHTTP1
import QuaeroQueue
import Synchronization

/// Fetches pages and robots.txt over HTTP(S) for the crawler, with the limits of a crawl's settings.
///
/// Owns one `HTTPClient`, made on the first fetch (so that building a fetcher that never fetches, as a
/// command that only lists jobs does, costs nothing); call `shutdown()` when done with it. Redirects are followed here rather than by the
/// client so that every hop is normalized, counted against `max_redirects` and checked for loops, and so
/// that the crawler learns the final URL. `request_timeout` bounds the whole fetch of one URL: connecting,
/// every redirect and reading the body.
public final class PageFetcher: Sendable {
    private let configuration: HTTPClient.Configuration
    private let clientState = Mutex<HTTPClient?>(nil)
    private let logger: Logger

    /// Creates a fetcher with its own HTTP client on the shared NIO event loops.
    /// - Parameters:
    ///   - connectTimeout: how long opening one connection may take at most.
    ///   - logger: receives the client's debug logs.
    public init(connectTimeout: Duration = .seconds(10), logger: Logger = Logger(label: "quaero.fetcher")) {
        // Redirects are followed here, hop by hop; a refused connection fails at once (the queue retries the page).
        configuration = .failingFast(connectTimeout: connectTimeout)
        self.logger = logger
    }

    /// Closes the client's connections, if a fetch opened any (a later fetch makes a new client).
    public func shutdown() async throws {
        let client = clientState.withLock { state in
            defer { state = nil }
            return state
        }
        try await client?.shutdown()
    }

    /// The client, made on first use. AHC requires every client it did not make itself to be shut down.
    private var client: HTTPClient {
        clientState.withLock { state in
            if let client = state { return client }
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration,
                                    backgroundActivityLogger: logger)
            state = client
            return client
        }
    }

    /// Fetches an HTML page.
    /// - Returns: the page, after at most `settings.maxRedirects` redirects.
    /// - Throws: `FetchError` (see `isRetryable`), or `CancellationError` when the task was cancelled.
    public func fetchPage(_ url: CrawlURL, settings: CrawlerSettings) async throws -> FetchedPage {
        try await withTimeout(settings.requestTimeout, url: url) {
            let (response, finalURL, redirects) = try await self.follow(url, settings: settings, maxRedirects: settings.maxRedirects,
                                                                          accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                throw FetchError(.httpStatus(status), url: finalURL.string, "\(finalURL) answered \(status) \(response.status.reasonPhrase)")
            }
            let contentType = ContentType(response.headers.first(name: "content-type") ?? "")
            guard contentType.isHTML else {
                let shown = contentType.mediaType.isEmpty ? "none" : contentType.mediaType
                throw FetchError(.notHTML(shown), url: finalURL.string, "\(finalURL) is not HTML (content type \(shown))")
            }
            let body = try await self.readBody(response, limit: settings.maxBodyBytes, truncate: false, url: finalURL)
            return FetchedPage(url: finalURL, redirects: redirects, status: status, mediaType: contentType.mediaType,
                               charset: contentType.charset, body: body)
        }
    }

    /// Fetches and parses the robots.txt that governs `url` (RFC 9309 §2.3: up to 5 redirects, the first
    /// 500 KiB, 4xx means allow all, 5xx disallow all).
    /// - Throws: `FetchError` for timeouts and connection errors (retry later: RFC 9309 says to treat an
    ///   unreachable robots.txt as disallowing everything, which a retry may lift), or `CancellationError`.
    public func fetchRobotsTxt(for url: CrawlURL, settings: CrawlerSettings) async throws -> RobotsTxt {
        try await fetchRobotsFile(for: url, settings: settings).rules
    }

    /// `fetchRobotsTxt`, as fetched (status and body), for storing.
    public func fetchRobotsFile(for url: CrawlURL, settings: CrawlerSettings) async throws -> RobotsFile {
        let robotsURL = url.robotsTxtURL
        return try await withTimeout(settings.requestTimeout, url: robotsURL) {
            let response: HTTPClientResponse
            do {
                response = try await self.follow(robotsURL, settings: settings, maxRedirects: 5, accept: "text/plain,*/*;q=0.5").response
            } catch let error as FetchError where [.tooManyRedirects, .redirectLoop, .badRedirect].contains(error.kind) {
                return RobotsFile(status: 404, body: "")  // RFC 9309 §2.3.1.2: may be treated as unavailable
            }
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else { return RobotsFile(status: status, body: "") }
            let body = try await self.readBody(response, limit: RobotsTxt.parseLimit, truncate: true, url: robotsURL)
            return RobotsFile(status: status, body: String(decoding: body, as: UTF8.self))
        }
    }

    /// GETs `url`, following redirects; returns the first non-redirect response, whose body the caller reads.
    private func follow(_ url: CrawlURL, settings: CrawlerSettings, maxRedirects: Int,
                        accept: String) async throws -> (response: HTTPClientResponse, url: CrawlURL, redirects: [CrawlURL]) {
        var current = url
        var redirects: [CrawlURL] = []
        while true {
            var request = HTTPClientRequest(url: current.string)
            request.headers.add(name: "User-Agent", value: settings.userAgent)
            request.headers.add(name: "Accept", value: accept)
            let response = try await execute(request, url: current)
            guard [301, 302, 303, 307, 308].contains(response.status.code) else { return (response, current, redirects) }
            let target = try redirectTarget(of: response, from: current)
            redirects.append(current)
            guard redirects.count <= maxRedirects else {
                throw FetchError(.tooManyRedirects, url: url.string, "\(url) redirected more than \(maxRedirects) times (max_redirects)")
            }
            guard target != url, !redirects.contains(target) else {
                throw FetchError(.redirectLoop, url: url.string, "\(url) redirects in a loop through \(target)")
            }
            current = target
        }
    }

    private func redirectTarget(of response: HTTPClientResponse, from url: CrawlURL) throws -> CrawlURL {
        guard let location = response.headers.first(name: "location"), !location.isEmpty else {
            throw FetchError(.badRedirect, url: url.string, "\(url) answered \(response.status.code) without a Location header")
        }
        do {
            return try url.resolve(location)
        } catch {
            throw FetchError(.badRedirect, url: url.string, "\(url) redirects to an unusable location: \(error)")
        }
    }

    private func execute(_ request: HTTPClientRequest, url: CrawlURL) async throws -> HTTPClientResponse {
        do {
            // The outer timeout bounds the fetch; this deadline only has to be later than it.
            return try await client.execute(request, deadline: .distantFuture, logger: logger)
        } catch {
            throw Self.fetchError(error, url: url)
        }
    }

    /// Reads the body up to `limit` bytes: beyond it, an error, or (with `truncate`) the first `limit` bytes.
    private func readBody(_ response: HTTPClientResponse, limit: Int, truncate: Bool, url: CrawlURL) async throws -> [UInt8] {
        let tooLarge = FetchError(.bodyTooLarge, url: url.string, "\(url) is larger than \(limit) bytes (max_body_bytes)")
        if !truncate, let length = response.headers.first(name: "content-length").flatMap(Int.init), length > limit { throw tooLarge }
        var body: [UInt8] = []
        do {
            for try await chunk in response.body {
                body.append(contentsOf: chunk.readableBytesView)
                if body.count > limit {
                    if truncate { return Array(body.prefix(limit)) }
                    throw tooLarge
                }
            }
        } catch let error as FetchError {
            throw error
        } catch {
            throw Self.fetchError(error, url: url)
        }
        return body
    }

    /// Runs `body`, failing with `.timeout` when it takes longer than `timeout`.
    private func withTimeout<T: Sendable>(_ timeout: Duration, url: CrawlURL,
                                          _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Quaero.withTimeout(timeout, {
            FetchError(.timeout, url: url.string, "\(url) took longer than \(DurationText.format(timeout)) (request_timeout)")
        }, body)
    }

    /// Maps what the client threw to a `FetchError`, keeping cancellation as it is.
    private static func fetchError(_ error: any Error, url: CrawlURL) -> any Error {
        if error is CancellationError || Task.isCancelled { return CancellationError() }
        if let error = error as? HTTPClientError {
            if error == .cancelled { return CancellationError() }
            if [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .tlsHandshakeTimeout].contains(error) {
                return FetchError(.timeout, url: url.string, "\(url) timed out (\(error))")
            }
        }
        return FetchError(.connection, url: url.string, "cannot fetch \(url): \(ConnectionErrorText.describe(error))")
    }
}
