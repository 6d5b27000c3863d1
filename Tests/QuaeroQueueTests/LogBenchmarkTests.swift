import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("LogBenchmark", .timeLimit(.minutes(1)))
struct LogBenchmarkTests {
    @Test("the log benchmark stores every line, reports its figures and leaves no rows behind")
    func smallRun() async throws {
        try await withTemporaryDatabase { database, _ async throws in
            let (perSecond, reduction) = try await benchLogs(database: database, entries: 20_003, writers: 8)
            #expect(perSecond > 0)
            #expect(reduction > 0.9)
            #expect(try await JobLogStore(database: database).countsByLevel().isEmpty)
        }
    }

    @Test("counts below 1 are rejected")
    func badCounts() async throws {
        try await withTemporaryDatabase { database, _ async throws in
            _ = await #expect {
                _ = try await benchLogs(database: database, entries: 0, writers: 8)
            } throws: { error in
                (error as? QuaeroError)?.message == "benchLogs needs at least 1 entry and 1 writer, got 0 entries and 8 writers"
            }
        }
    }
}
