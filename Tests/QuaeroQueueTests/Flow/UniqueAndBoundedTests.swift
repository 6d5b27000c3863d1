import Foundation
@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

/// Unique jobs for a period, and bounded queues (DESIGN §8).
@Suite("Flow control: unique jobs and bounded queues")
struct UniqueAndBoundedTests {
    private func manager(_ store: any QuaeroStore, maxReady: Int? = nil) throws -> JobManager {
        JobManager(queue: try Queue(name: "jobs", store: store, options: QueueOptions(maxReady: maxReady)))
    }

    private func jobCount(_ store: any QuaeroStore) async throws -> Int {
        try await store.read { try await $0.jobs(JobFilter(limit: 1000)).count }
    }

    @Test("within its period a unique job is returned again; after it, a new one is created", arguments: StoreKind.available)
    func period(_ kind: StoreKind) async throws {
        let clock = ManualClock()
        try await withStore(kind, clock: clock) { store in
            let manager = try manager(store)
            let spec = JobSpec(type: "report", config: ["day": .string("mon")], unique: UniqueJob(key: "report:mon", for: .seconds(60)))
            let first = try await manager.createJob(spec)
            clock.advance(by: .seconds(59))
            #expect(try await manager.createJob(spec).id == first.id)
            #expect(try await manager.createJobs([spec, spec]).map(\.id) == [first.id, first.id])
            #expect(try await jobCount(store) == 1)
            clock.advance(by: .seconds(2))
            let second = try await manager.createJob(spec)
            #expect(second.id != first.id)
            #expect(try await jobCount(store) == 2)
            // Another key is another job.
            var other = spec
            other.unique?.key = "report:tue"
            #expect(try await manager.createJob(other).id != second.id)
        }
    }

    @Test("only a job in one of the statuses named holds the key", arguments: StoreKind.available)
    func statuses(_ kind: StoreKind) async throws {
        try await withStore(kind, clock: ManualClock()) { store in
            let manager = try manager(store)
            let pendingOnly = JobSpec(type: "sync", unique: UniqueJob(key: "sync", for: .seconds(3600), statuses: [.pending]))
            let first = try await manager.createJob(pendingOnly)
            #expect(try await manager.createJob(pendingOnly).id == first.id)
            try await manager.cancel(first.id)
            let second = try await manager.createJob(pendingOnly)
            #expect(second.id != first.id, "a cancelled job does not hold a key held while pending")
            // The default statuses: pending, running and completed, not the bad ends.
            let byDefault = JobSpec(type: "sync", unique: UniqueJob(key: "default", for: .seconds(3600)))
            let third = try await manager.createJob(byDefault)
            try await manager.cancel(third.id)
            #expect(try await manager.createJob(byDefault).id != third.id)
        }
    }

    @Test("a bad unique rule is refused and stores nothing", arguments: StoreKind.available)
    func badRules(_ kind: StoreKind) async throws {
        try await withStore(kind, clock: ManualClock()) { store in
            let manager = try manager(store)
            for (unique, problem) in [(UniqueJob(key: "", for: .seconds(1)), "unique key is empty"),
                                      (UniqueJob(key: "k", for: .zero), "unique_for must be positive"),
                                      (UniqueJob(key: "k", for: .seconds(1), statuses: []), "at least one status")] {
                let error = await #expect(throws: QuaeroError.self) { try await manager.createJob(JobSpec(type: "x", unique: unique)) }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
            }
            #expect(try await jobCount(store) == 0)
        }
    }

    @Test("a queue holding max_ready ready messages refuses sends with queue_full, storing nothing", arguments: StoreKind.available)
    func bounded(_ kind: StoreKind) async throws {
        try await withStore(kind, clock: ManualClock()) { store in
            let queue = try Queue(name: "bounded", store: store, options: QueueOptions(maxReady: 3))
            for index in 0..<3 { _ = try await queue.send(Data("\(index)")) }
            for attempt in 0..<3 {
                let error = await #expect(throws: QuaeroError.self) {
                    switch attempt {
                    case 0: _ = try await queue.send(Data("one more"))
                    case 1: _ = try await queue.send(Data("later"), delay: .seconds(60))
                    default: _ = try await queue.send(batch: [OutgoingMessage(body: Data("batch"))])
                    }
                }
                #expect(error?.code == .queueFull)
                #expect(error?.message.contains("max_ready is 3") == true)
            }
            #expect(try await queue.stats().totals.ready == 3)
            // A message in flight is not ready: there is room for one more, but not for two in one batch.
            let taken = try #require(try await queue.receive().first)
            await #expect(throws: QuaeroError.self) {
                _ = try await queue.send(batch: [OutgoingMessage(body: Data("a")), OutgoingMessage(body: Data("b"))])
            }
            _ = try await queue.send(Data("fits"))
            try await queue.delete(taken.receipt)
            #expect(try await queue.stats().totals.ready == 3)
        }
    }

    @Test("createJob on a full queue is refused with queue_full and leaves no record", arguments: StoreKind.available)
    func boundedJobs(_ kind: StoreKind) async throws {
        try await withStore(kind, clock: ManualClock()) { store in
            let manager = try manager(store, maxReady: 2)
            try await manager.createJobs([JobSpec(type: "x"), JobSpec(type: "x")])
            let error = await #expect(throws: QuaeroError.self) { try await manager.createJob(JobSpec(type: "x")) }
            #expect(error?.code == .queueFull)
            #expect(try await jobCount(store) == 2)
            #expect(throws: QuaeroError.self) { try Queue(name: "q", store: store, options: QueueOptions(maxReady: 0)) }
        }
    }
}
