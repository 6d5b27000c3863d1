import Foundation
import Quaero
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("The cleanup scheduler", .timeLimit(.minutes(1)))
struct CleanupSchedulerTests {
    @Test("creates one cleanup job per interval, never a second while one is queued, and stops when cancelled")
    func ticks() async throws {
        let clock = ManualClock()
        try await withAppStore(clock: clock) { database, _ in
            let manager = JobManager(queue: try Queue(name: "jobs", store: database))
            let config: [String: JSONValue] = ["age_threshold_days": .number(7), "status_filter": .array([.string("completed")])]
            let scheduler = CleanupScheduler(manager: manager, interval: .seconds(3600), config: config, clock: clock)
            let running = Task { try await scheduler.run() }

            #expect(await waitUntil { clock.sleeperCount == 1 })
            #expect(try await manager.listJobs().isEmpty, "nothing before the first interval")
            clock.advance(by: .seconds(3600))
            #expect(await waitUntil { (try? await manager.listJobs().count) == 1 })
            let job = try #require(try await manager.listJobs().first)
            #expect(job.type == .cleanup)
            #expect(job.config == config)

            #expect(await waitUntil { clock.sleeperCount == 1 })
            clock.advance(by: .seconds(3600))
            #expect(await waitUntil { clock.sleeperCount == 1 })
            #expect(try await manager.listJobs().map(\.id) == [job.id], "the queued one is reused")

            running.cancel()
            try await running.value
        }
    }
}
