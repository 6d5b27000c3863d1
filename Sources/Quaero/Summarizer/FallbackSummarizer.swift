public import Logging
import QuaeroQueue

/// Uses `primary` (a language model) and, when it fails, `fallback` (the built-in summarizer); a circuit
/// breaker stops calling `primary` for a while after it failed several times in a row (by default 3 times,
/// then for 1 minute: `CircuitBreaker.Policy`), so that a dead endpoint costs a crawl's summaries a few
/// failed calls rather than one each.
public struct FallbackSummarizer: DocumentSummarizer {
    /// Tried first.
    public let primary: any DocumentSummarizer
    /// Used when `primary` fails or its breaker is open.
    public let fallback: any DocumentSummarizer
    /// Guards `primary`; shared by every job of the process.
    public let breaker: CircuitBreaker
    private let logger: Logger

    /// Creates a summarizer that falls back from `primary` to `fallback`.
    /// - Parameter logger: where `summarize(title:text:)` says why it fell back (jobs pass their own log).
    public init(primary: any DocumentSummarizer, fallback: any DocumentSummarizer = ExtractiveSummarizer(),
                breaker: CircuitBreaker = CircuitBreaker(), logger: Logger) {
        self.primary = primary
        self.fallback = fallback
        self.breaker = breaker
        self.logger = logger
    }

    public func summarize(title: String, text: String) async throws -> String {
        try await summarize(title: title, text: text, notices: SummaryNotices(logger: logger))
    }

    /// The primary's summary, or the fallback's when the primary fails or its breaker is open; each
    /// failure is a notice, and so is (once per job) the breaker's being open. Cancellation is not a
    /// failure: it is passed on.
    public func summarize(title: String, text: String, notices: SummaryNotices) async throws -> String {
        switch breaker.permit() {
        case .skip(let until):
            notices.warningOnce("circuit open", "the summarizer endpoint failed \(breaker.policy.threshold) times in a row, so it is "
                + "not called until \(RFC3339.string(millis: until)); the built-in summarizer is used meanwhile")
        case .call:
            do {
                let summary = try await primary.summarize(title: title, text: text)
                breaker.record(success: true)
                return summary
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                try Task.checkCancellation()
                let opened = breaker.record(success: false)
                notices.warning("summarizer failed, using the built-in one instead: \(error)"
                    + (opened ? " (the endpoint is not called again for \(DurationText.format(breaker.policy.cooldown)))" : ""))
            }
        }
        return try await fallback.summarize(title: title, text: text)
    }
}
