import Logging
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("JobLogHandler")
struct JobLogHandlerTests {
    @Test("a handler's lines go to its job's log and on to the upstream handler with the job id", arguments: StoreKind.available)
    func writesAndForwards(_ kind: StoreKind) async throws {
        try await withStore(kind, clock: ManualClock()) { store in
            try await LogFixtures.insertJobs(store, ["a"])
            let service = try LogService(store: store)
            let upstream = RecordingLogHandler.Box()
            var logger = service.logger(forJob: "a", passingTo: RecordingLogHandler.logger(upstream, level: .info))
            logger[metadataKey: "url"] = "https://example.com"

            logger.debug("not logged: below the level")
            logger.info("fetched", metadata: ["status": "200"])
            logger.critical("gave up")
            try await service.flush()

            let lines = try await LogFixtures.lines(service.store, "a")
            #expect(lines.map(\.message) == ["fetched status=200 url=https://example.com", "gave up url=https://example.com"])
            #expect(lines.map(\.level) == [.info, .error])
            #expect(upstream.messages == ["fetched", "gave up"])
            #expect(upstream.all.allSatisfy { $0.metadata?["job_id"] == "a" && $0.metadata?["url"] == "https://example.com" })
        }
    }

    @Test("the upstream handler's own level still applies, and an attached error is stored", arguments: StoreKind.available)
    func upstreamLevelAndError(_ kind: StoreKind) async throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "connection reset" } }
        try await withStore(kind, clock: ManualClock()) { store in
            try await LogFixtures.insertJobs(store, ["a"])
            let service = try LogService(store: store)
            let upstream = RecordingLogHandler.Box()
            let handler = JobLogHandler(jobID: "a", service: service,
                                        upstream: RecordingLogHandler(box: upstream, logLevel: .warning), logLevel: .debug)
            handler.log(event: LogEvent(level: .debug, message: "detail", metadata: nil, source: nil, file: #fileID, function: #function, line: #line))
            var failure = LogEvent(level: .warning, message: "retrying", metadata: nil, source: nil, file: #fileID, function: #function, line: #line)
            failure.error = Broken()
            handler.log(event: failure)
            try await service.flush()

            let lines = try await LogFixtures.lines(service.store, "a")
            #expect(lines.map(\.message) == ["detail", "retrying error=connection reset"])
            #expect(lines.map(\.level) == [.debug, .warning])
            #expect(upstream.messages == ["retrying"])
        }
    }
}
