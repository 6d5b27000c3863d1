import QuaeroQueue
@testable import QuaeroSQLite
import QuaeroTestSupport
import QuaeroBench
import Testing

@Suite("LogBenchmark", .timeLimit(.minutes(1)))
struct LogBenchmarkTests {
    @Test("the log benchmark stores every line, reports its figures and leaves no rows behind")
    func smallRun() async throws {
        try await withTemporaryStore { store, _ async throws in
            let (perSecond, reduction) = try await benchLogs(store: store, entries: 20_003, writers: 8)
            #expect(perSecond > 0)
            #expect(reduction > 0.9)
            #expect(try await JobLogStore(store: store).countsByLevel().isEmpty)
        }
    }

    @Test("counts below 1 are rejected")
    func badCounts() async throws {
        try await withTemporaryStore { store, _ async throws in
            _ = await #expect {
                _ = try await benchLogs(store: store, entries: 0, writers: 8)
            } throws: { error in
                (error as? QuaeroError)?.message == "benchLogs needs at least 1 entry and 1 writer, got 0 entries and 8 writers"
            }
        }
    }
}
