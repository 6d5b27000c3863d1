import Foundation
import Logging
import NIOHTTP1
import Quaero
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// Issue 10: with `summarizer.llm_url` on a closed port each document waited `summarizer.timeout` (1 min),
/// so 500 documents took 8 hours. A refused connection fails at once, and a circuit breaker stops calling
/// an endpoint that keeps failing, for a while.
@Suite("Summarizer: refused connections and the circuit breaker", .timeLimit(.minutes(1)))
struct SummarizerCircuitTests {
    static let text = "Bees make honey from nectar. Honey keeps for years in sealed jars. Bakers use honey in bread."

    @Test("a refused connection fails at once, not after the summarizer's timeout")
    func refusedFailsAtOnce() async throws {
        let closed = try await Self.closedPortURL()
        let llm = LLMSummarizer(settings: LLMSettings(url: closed, model: "m", timeout: .seconds(30)))
        let started = ContinuousClock.now
        let error = await #expect(throws: QuaeroError.self) { try await llm.summarize(title: "", text: Self.text) }
        #expect(ContinuousClock.now - started < .seconds(5), "it waited for the timeout")
        #expect(error?.message.contains("connection refused") == true, "\(error?.message ?? "")")
    }

    @Test("3 failures in a row open the breaker for 1 minute; then one trial call; a success closes it")
    func breakerStates() {
        let clock = ManualClock()
        let breaker = CircuitBreaker(clock: clock)
        #expect(breaker.policy == CircuitBreaker.Policy(threshold: 3, cooldown: .seconds(60)))
        for _ in 0..<2 {
            #expect(breaker.permit() == .call)
            #expect(!breaker.record(success: false))
        }
        #expect(breaker.permit() == .call)
        #expect(breaker.record(success: true) == false, "a success resets the count")
        for attempt in 1...3 {
            #expect(breaker.permit() == .call)
            #expect(breaker.record(success: false) == (attempt == 3))
        }
        let reopen = clock.nowMillis() + 60_000
        #expect(breaker.permit() == .skip(until: reopen))
        clock.advance(by: .seconds(59))
        #expect(breaker.permit() == .skip(until: reopen))
        clock.advance(by: .seconds(1))
        #expect(breaker.permit() == .call, "the trial call")
        #expect(breaker.permit() == .skip(until: clock.nowMillis() + 60_000), "one trial at a time")
        #expect(breaker.record(success: false), "a failed trial opens it again")
        clock.advance(by: .seconds(60))
        #expect(breaker.permit() == .call)
        breaker.record(success: true)
        #expect(breaker.permit() == .call)
    }

    @Test("with the endpoint failing, FallbackSummarizer calls it 3 times for 6 documents and says once that it stopped")
    func fallbackStopsCalling() async throws {
        let healthy = Locked(false)
        let answer = #"{"choices": [{"message": {"content": "From the model."}}]}"#
        try await TestHTTPServer.run({ _ in
            healthy.value ? TestResponse(headers: [("Content-Type", "application/json")], body: Array(answer.utf8))
                : TestResponse.status(.internalServerError, "down")
        }) { server in
            let clock = ManualClock()
            let logs = LogCapture()
            let llm = LLMSummarizer(settings: LLMSettings(url: server.url("/v1/chat/completions"), model: "m"))
            let summarizer = FallbackSummarizer(primary: llm, breaker: CircuitBreaker(clock: clock), logger: Logger(label: "t") { _ in logs })
            let notices = SummaryNotices(logger: Logger(label: "job") { _ in logs })
            let builtIn = ExtractiveSummarizer().summary(title: "", text: Self.text)
            for _ in 0..<6 {
                let summary = try await summarizer.summarize(title: "", text: Self.text, notices: notices)
                #expect(summary == builtIn)
            }
            #expect(server.requests.count == 3)
            #expect(logs.messages.filter { $0.hasPrefix("summarizer failed") }.count == 3, "\(logs.messages)")
            #expect(logs.messages.filter { $0.contains("is not called until") }.count == 1, "said once: \(logs.messages)")

            clock.advance(by: .seconds(60))
            healthy.withLock { $0 = true }
            for _ in 0..<2 {
                let summary = try await summarizer.summarize(title: "", text: Self.text, notices: notices)
                #expect(summary == "From the model.")
            }
            #expect(server.requests.count == 5)
        }
    }

    @Test("a summarizer job over a refused endpoint summarizes every document with the built-in one, quickly, saying so once in its log")
    func jobLogSaysItOnce() async throws {
        let closed = try await Self.closedPortURL()
        try await withAppStore { database, _ in
            let manager = JobManager(queue: try Queue(name: "jobs", store: database))
            let logs = try LogService(store: database)
            let pool = try WorkerPool(manager: manager, options: WorkerPoolOptions(pollInterval: .milliseconds(50)), logService: logs)
            let store = try DocumentStore(store: database)
            let llm = LLMSummarizer(settings: LLMSettings(url: closed, model: "m", timeout: .seconds(60)))
            SummarizerJob(store: store, summarizer: FallbackSummarizer(primary: llm, logger: Logger(label: "t"))).register(on: pool)
            try await pool.start()
            var ids: [Int64] = []
            for index in 0..<6 {
                ids.append(try await store.upsert(url: "https://example.com/\(index)", title: "", text: Self.text, jobID: nil).id)
            }
            let started = ContinuousClock.now
            let handle = try await manager.submit(JobSpec(type: .summarizer, config: ["document_ids": .array(ids.map { .number(Double($0)) })]))
            let result = try await handle.result()
            #expect(ContinuousClock.now - started < .seconds(10))
            await pool.stop()
            try await logs.flush()
            #expect(result["summarized"] == .number(6))
            let lines = try await logs.store.entries(jobID: handle.id, limit: 100).map(\.message)
            #expect(lines.filter { $0.contains("is not called until") }.count == 1, "\(lines)")
            #expect(lines.filter { $0.hasPrefix("summarizer failed") }.count == 3, "\(lines)")
            await logs.stop()
        }
    }

    /// A URL on 127.0.0.1 whose port nothing listens on (a server's, after it stopped).
    static func closedPortURL() async throws -> String {
        let port = try await TestHTTPServer.run({ _ in TestResponse() }) { $0.port }
        return "http://127.0.0.1:\(port)/v1/chat/completions"
    }
}
