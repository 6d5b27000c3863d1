/// Something that turns a page's title and text into a short summary: the built-in
/// `ExtractiveSummarizer`, or a language model behind an OpenAI-compatible endpoint.
public protocol DocumentSummarizer: Sendable {
    /// A short summary of the page.
    /// - Parameters:
    ///   - title: the page title, or empty.
    ///   - text: the page's visible text.
    func summarize(title: String, text: String) async throws -> String

    /// A short summary of the page, saying in `notices` (the job's log) what its reader should know about
    /// how it was made, such as falling back from a failing endpoint.
    func summarize(title: String, text: String, notices: SummaryNotices) async throws -> String
}

extension DocumentSummarizer {
    /// Summarizers with nothing to say use `summarize(title:text:)`.
    public func summarize(title: String, text: String, notices: SummaryNotices) async throws -> String {
        try await summarize(title: title, text: text)
    }
}
