import AsyncHTTPClient
import NIOCore
import QuaeroQueue

extension HTTPClient.Configuration {
    /// A client configuration under which a refused connection fails at once.
    ///
    /// By default AsyncHTTPClient retries a failed connection attempt with backoff until the connect timeout
    /// (90 s for `HTTPClient.shared`) or the request's deadline, so a closed port cost every request its whole
    /// timeout (a summary `summarizer.timeout`, 1 minute; a page `request_timeout`, three times over). Quaero
    /// retries at its own level instead: the queue retries a page with backoff, and the summarizer's circuit
    /// breaker stops calling an endpoint that keeps failing.
    static func failingFast(connectTimeout: Duration, redirects: RedirectConfiguration = .disallow) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(redirectConfiguration: redirects)
        configuration.timeout = Timeout(connect: .milliseconds(max(1, connectTimeout.milliseconds)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }
}
