public import Logging

/// Uses `primary` (a language model) and, on any failure of it, `fallback` (the built-in summarizer),
/// logging why.
public struct FallbackSummarizer: DocumentSummarizer {
    /// Tried first.
    public let primary: any DocumentSummarizer
    /// Used when `primary` fails.
    public let fallback: any DocumentSummarizer
    private let logger: Logger

    /// Creates a summarizer that falls back from `primary` to `fallback`.
    public init(primary: any DocumentSummarizer, fallback: any DocumentSummarizer = ExtractiveSummarizer(), logger: Logger) {
        self.primary = primary
        self.fallback = fallback
        self.logger = logger
    }

    /// The primary's summary, or the fallback's when the primary fails (cancellation is not a failure:
    /// it is passed on).
    public func summarize(title: String, text: String) async throws -> String {
        do {
            return try await primary.summarize(title: title, text: text)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            try Task.checkCancellation()
            logger.warning("summarizer failed, using the built-in one instead", metadata: ["error": "\(error)"])
            return try await fallback.summarize(title: title, text: text)
        }
    }
}
