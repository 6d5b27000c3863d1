import QuaeroQueue
@testable import QuaeroSQLite
import QuaeroTestSupport
import QuaeroBench
import Testing

@Suite("Jobs benchmark", .timeLimit(.minutes(1)))
struct JobsBenchmarkTests {
    @Test("benchJobs runs every job and reports its figures")
    func smallRun() async throws {
        try await withTemporaryStore { store, _ in
            let result = try await benchJobs(store: store, jobs: 3000, samples: 50)
            #expect(result.jobsPerSecond > 0)
            #expect(result.enqueueToStartP50Ms <= result.enqueueToStartP99Ms)
            #expect(result.enqueueToStartP99Ms < 1000, "wake-ups, not the 1 s ticker")
            let stats = try await JobManager(queue: try Queue(name: "bench_jobs", store: store)).stats()
            #expect(stats["bench_noop"]?.completed == 3000)
            print("benchJobs (debug build): \(result)")
        }
    }
}
