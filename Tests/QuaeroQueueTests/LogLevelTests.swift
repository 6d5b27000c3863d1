import Foundation
import Logging
import QuaeroQueue
import Testing

@Suite("LogLevel")
struct LogLevelTests {
    @Test("parses the four names, ignoring case and spaces")
    func parsesNames() throws {
        #expect(try LogLevel(parsing: "debug") == .debug)
        #expect(try LogLevel(parsing: "Info") == .info)
        #expect(try LogLevel(parsing: " WARNING\n") == .warning)
        #expect(try LogLevel(parsing: "error") == .error)
    }

    @Test("an unknown level name is rejected with an error naming it and the accepted names")
    func rejectsUnknownName() {
        #expect {
            try LogLevel(parsing: "verbose")
        } throws: { error in
            let error = try #require(error as? QuaeroError)
            return error.code == .invalidArgument
                && error.message == "unknown log level \"verbose\"; use one of debug, info, warning, error"
        }
        #expect(throws: QuaeroError.self) { try LogLevel(parsing: "") }
        #expect(throws: QuaeroError.self) { try LogLevel(parsing: "warn") }
    }

    @Test("is ordered by severity")
    func ordering() {
        #expect(LogLevel.allCases.sorted() == [.debug, .info, .warning, .error])
        #expect(LogLevel.warning.andAbove == [.warning, .error])
    }

    @Test("maps swift-log levels onto the four and back")
    func swiftLogMapping() {
        let mapped = Logger.Level.allCases.map { LogLevel($0) }
        #expect(mapped == [.debug, .debug, .info, .info, .warning, .error, .error])
        for level in LogLevel.allCases { #expect(LogLevel(level.loggerLevel) == level) }
    }

    @Test("an entry encodes as the API's log entry shape")
    func entryJSON() throws {
        let entry = JobLogEntry(id: 7, jobID: "job", timestamp: 1_767_225_600_123, level: .warning, message: "slow")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(entry), as: UTF8.self)
        #expect(json == #"{"id":7,"job_id":"job","level":"warning","message":"slow","timestamp":"2026-01-01T00:00:00.123Z"}"#)
        let early = JobLogEntry(id: 1, jobID: "j", timestamp: -1, level: .info, message: "")
        #expect(String(decoding: try encoder.encode(early), as: UTF8.self).contains(#""timestamp":"1969-12-31T23:59:59.999Z""#))
    }
}
