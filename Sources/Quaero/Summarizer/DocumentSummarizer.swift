/// Something that turns a page's title and text into a short summary: the built-in
/// `ExtractiveSummarizer`, or a language model behind an OpenAI-compatible endpoint.
public protocol DocumentSummarizer: Sendable {
    /// A short summary of the page.
    /// - Parameters:
    ///   - title: the page title, or empty.
    ///   - text: the page's visible text.
    func summarize(title: String, text: String) async throws -> String
}
