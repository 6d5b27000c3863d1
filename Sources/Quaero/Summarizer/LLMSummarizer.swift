import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import QuaeroQueue

/// `[summarizer]` settings for a language model behind an OpenAI-compatible chat completions endpoint.
public struct LLMSettings: Sendable, Equatable {
    /// The full endpoint URL, such as `http://127.0.0.1:11434/v1/chat/completions`.
    public var url: String
    /// The model name sent with each request.
    public var model: String
    /// Sent as `Authorization: Bearer …` when set.
    public var apiKey: String?
    /// How long one summary may take.
    public var timeout: Duration
    /// Page text beyond this many characters is not sent.
    public var maxInputCharacters: Int

    /// Creates settings for the endpoint `url` and `model`.
    public init(url: String, model: String, apiKey: String? = nil, timeout: Duration = .seconds(60), maxInputCharacters: Int = 12_000) {
        self.url = url
        self.model = model
        self.apiKey = apiKey
        self.timeout = timeout
        self.maxInputCharacters = maxInputCharacters
    }

    /// Checks the URL and the model.
    /// - Throws: `QuaeroError(.invalidArgument)` naming `summarizer.llm_url` or `summarizer.model`.
    public func validate() throws {
        do {
            _ = try CrawlURL(url)
        } catch {
            throw QuaeroError(.invalidArgument, "summarizer.llm_url is not usable: \(error)")
        }
        guard !model.trimmingWhitespace().isEmpty else {
            throw QuaeroError(.invalidArgument, "summarizer.model is empty; give the model name the endpoint expects")
        }
    }
}

/// A summarizer that asks a language model through an OpenAI-compatible chat completions endpoint.
///
/// Use it inside a `FallbackSummarizer`, so that any failure of the endpoint falls back to the built-in one.
public struct LLMSummarizer: DocumentSummarizer {
    /// Where and how to ask.
    public let settings: LLMSettings

    /// The instruction sent before each page.
    static let instruction = "Summarize the following web page in two or three plain sentences. Answer with the summary only."

    /// One client for every summary of the process, like `HTTPClient.shared` (never shut down), but a refused
    /// connection fails at once instead of being retried until `timeout` (see `failingFast`).
    private static let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                           configuration: .failingFast(connectTimeout: .seconds(10), redirects: .follow(max: 5, allowCycles: false)))

    /// Creates a summarizer for `settings` (checked by `LLMSettings.validate()` first).
    public init(settings: LLMSettings) {
        self.settings = settings
    }

    /// Asks the model for a summary.
    /// - Throws: `QuaeroError(.timeout)` past `timeout`; `QuaeroError(.decoding)` for an answer without a
    ///   summary; `QuaeroError(.invalidArgument)` for a non-2xx answer or a connection error.
    public func summarize(title: String, text: String) async throws -> String {
        let request = try makeRequest(title: title, text: text)
        let timeout = settings.timeout
        let url = settings.url
        let (response, body) = try await withTimeout(timeout, {
            QuaeroError(.timeout, "the summarizer endpoint \(url) took longer than \(DurationText.format(timeout))")
        }) {
            do {
                let response = try await Self.client.execute(request, deadline: .distantFuture)
                return (response, try await response.body.collect(upTo: 4 * 1024 * 1024))
            } catch {
                try Task.checkCancellation()
                throw QuaeroError(.invalidArgument, "cannot reach the summarizer endpoint \(url): \(ConnectionErrorText.describe(error))")
            }
        }
        guard (200..<300).contains(Int(response.status.code)) else {
            throw QuaeroError(.invalidArgument, "the summarizer endpoint \(settings.url) answered \(response.status.code): \(String(buffer: body).prefix(200))")
        }
        guard let value = try? JSONValue.parse(Data(body.readableBytesView)),
              let content = value["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue,
              !content.trimmingWhitespace().isEmpty else {
            throw QuaeroError(.decoding, "the summarizer endpoint \(settings.url) answered without a summary (choices[0].message.content)")
        }
        return content.trimmingWhitespace()
    }

    /// The chat completions request: the instruction, then the title and the start of the text.
    private func makeRequest(title: String, text: String) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: settings.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let key = settings.apiKey, !key.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.body = .bytes(ByteBuffer(bytes: try requestBody(title: title, text: text)))
        return request
    }

    private func requestBody(title: String, text: String) throws -> Data {
        let page = (title.isEmpty ? "" : "Title: \(title)\n\n") + String(text.prefix(settings.maxInputCharacters))
        let body: JSONValue = .object([
            "model": .string(settings.model),
            "temperature": .number(0),
            "messages": .array([
                .object(["role": .string("system"), "content": .string(Self.instruction)]),
                .object(["role": .string("user"), "content": .string(page)]),
            ]),
        ])
        return try JSONEncoder().encode(body)
    }
}
