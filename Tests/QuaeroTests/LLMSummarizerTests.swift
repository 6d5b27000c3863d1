import Foundation
import Logging
import NIOHTTP1
import Quaero
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("LLM summarizer over an OpenAI-compatible endpoint, with the built-in fallback", .timeLimit(.minutes(1)))
struct LLMSummarizerTests {
    static let answer = #"{"id": "x", "choices": [{"index": 0, "message": {"role": "assistant", "content": "  A short summary.  "}}]}"#

    @Test("the request names the model, sends the page and the key; the answer's content is the summary")
    func success() async throws {
        try await TestHTTPServer.run({ _ in TestResponse(headers: [("Content-Type", "application/json")], body: Array(Self.answer.utf8)) }) { server in
            let summarizer = LLMSummarizer(settings: LLMSettings(url: server.url("/v1/chat/completions"), model: "tiny", apiKey: "secret",
                                                                 maxInputCharacters: 10))
            #expect(try await summarizer.summarize(title: "Bees", text: "0123456789 and more") == "A short summary.")
            let request = try #require(server.requests.first)
            #expect(request.method == .POST)
            #expect(request.path == "/v1/chat/completions")
            #expect(request.headers.first(name: "authorization") == "Bearer secret")
            let body = try JSONValue.parse(Data(request.body))
            #expect(body["model"] == .string("tiny"))
            let messages = try #require(body["messages"]?.arrayValue)
            #expect(messages.map { $0["role"] } == [.string("system"), .string("user")])
            #expect(messages[1]["content"] == .string("Title: Bees\n\n0123456789"))
        }
    }

    @Test("endpoint failures are errors; FallbackSummarizer then gives the built-in summary and logs why", arguments: [
        TestResponse.status(.internalServerError, "overloaded"),
        TestResponse(headers: [("Content-Type", "application/json")], body: Array(#"{"choices": []}"#.utf8)),
        TestResponse(headers: [("Content-Type", "application/json")], body: Array("not json".utf8)),
        TestResponse(body: Array(answer.utf8), delay: .seconds(20)),
    ])
    func fallback(response: TestResponse) async throws {
        try await TestHTTPServer.run({ _ in response }) { server in
            let llm = LLMSummarizer(settings: LLMSettings(url: server.url("/v1/chat/completions"), model: "tiny", timeout: .milliseconds(300)))
            await #expect(throws: QuaeroError.self) { try await llm.summarize(title: "", text: "Some text.") }
            let logs = LogCapture()
            let summarizer = FallbackSummarizer(primary: llm, logger: Logger(label: "test") { _ in logs })
            let text = "Bees make honey. Bees live in hives. Wasps do not make honey. Ants live in nests."
            let summary = try await summarizer.summarize(title: "Bees", text: text)
            #expect(summary == ExtractiveSummarizer().summary(title: "Bees", text: text))
            #expect(logs.messages.count == 1)
            #expect(logs.messages.first?.contains("summarizer failed") == true)
        }
    }

    @Test("settings are checked: the URL must be http(s), the model named")
    func settings() {
        #expect(throws: Never.self) { try LLMSettings(url: "http://127.0.0.1:11434/v1/chat/completions", model: "m").validate() }
        let badURL = #expect(throws: QuaeroError.self) { try LLMSettings(url: "localhost:11434", model: "m").validate() }
        #expect(badURL?.message.contains("summarizer.llm_url") == true)
        let noModel = #expect(throws: QuaeroError.self) { try LLMSettings(url: "http://127.0.0.1/", model: " ").validate() }
        #expect(noModel?.message.contains("summarizer.model") == true)
    }
}

/// Collects log messages (a log handler for tests, so that a fallback can be seen to say why).
final class LogCapture: LogHandler, @unchecked Sendable {
    // @unchecked: `messages` is guarded by the lock; metadata and logLevel are set only before use.
    private let lines = Locked<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var messages: [String] { lines.value }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.message)") }
    }
}
