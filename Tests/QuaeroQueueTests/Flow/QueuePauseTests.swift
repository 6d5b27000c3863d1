import Foundation
@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

/// Pausing a queue or one type in it (DESIGN §8).
@Suite("Flow control: pause and resume", .timeLimit(.minutes(1)))
struct QueuePauseTests {
    @Test("a paused queue delivers nothing; sends still land; resume delivers them", arguments: StoreKind.available)
    func pauseQueue(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, _ in
            _ = try await queue.send(Data("before"))
            #expect(try await queue.pause())
            #expect(try await !queue.pause(), "already paused")
            _ = try await queue.send(Data("during"))
            #expect(try await queue.receive(limit: 10).isEmpty)
            let stats = try await queue.stats()
            #expect(stats.totals.ready == 2)
            #expect(stats.paused == QueuePause(queue: true))
            #expect(try await queue.resume())
            #expect(try await !queue.resume(), "not paused any more")
            #expect(try await queue.receive(limit: 10).map(\.text) == ["before", "during"])
            #expect(try await queue.stats().paused.isEmpty)
        }
    }

    @Test("a paused type is skipped, the others flow; resuming the queue leaves the type paused", arguments: StoreKind.available)
    func pauseType(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, _ in
            for (body, type) in [("c1", "crawl"), ("s1", "sum"), ("c2", "crawl"), ("n", nil)] {
                _ = try await queue.send(Data(body), type: type)
            }
            try await queue.pause(type: "crawl")
            try await queue.pause()
            try await queue.resume()
            #expect(try await queue.pauses() == QueuePause(types: ["crawl"]))
            #expect(try await queue.receive(limit: 10).map(\.text) == ["s1", "n"])
            try await queue.resume(type: "crawl")
            #expect(try await queue.receive(limit: 10).map(\.text) == ["c1", "c2"])
            let error = await #expect(throws: QuaeroError.self) { try await queue.pause(type: "") }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test("another process's pause stops this one's claims within the staleness, and its resume restarts them",
          arguments: StoreKind.shared)
    func acrossHandles(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, clock, store in
            _ = try await queue.send(batch: (0..<200).map { OutgoingMessage(body: Data("\($0)")) })
            #expect(try await queue.receive().count == 1)  // the pauses are cached now
            try await withAnotherHandle(on: store, kind: kind, clock: clock) { other in
                let there = try Queue(name: queue.name, store: other, options: queue.options)
                try await there.pause()
                let paused = ContinuousClock.now
                // Deliveries may go on only while this handle's cache is younger than the pause.
                let stopped = try await waitUntil(timeout: .seconds(5), pollEvery: .milliseconds(1)) {
                    let asked = ContinuousClock.now
                    let got = try await queue.receive()
                    if !got.isEmpty { #expect(asked - paused < QueuePause.staleness, "a claim after the pause was visible") }
                    return got.isEmpty
                }
                #expect(stopped)
                #expect(try await queue.receive(limit: 5).isEmpty)
                try await there.resume()
                #expect(try await waitUntil(timeout: .seconds(5)) { !(try await queue.receive()).isEmpty })
            }
        }
    }

    @Test("a pool stops claiming at once when its process pauses, finishes what runs, and resumes at once",
          arguments: StoreKind.available)
    func pool(_ kind: StoreKind) async throws {
        let gate = Gate()
        let started = Recorder<String>()
        try await withJobHarness(kind, register: { pool in
            pool.register("work") { context in
                started.append(context.job.id)
                if context.job.config["wait"] == .bool(true) { try await gate.wait() }
                return nil
            }
        }) { h in
            let running = try await h.manager.createJob(JobSpec(type: "work", config: ["wait": .bool(true)]))
            #expect(await waitUntil { started.count == 1 })
            try await h.queue.pause()
            let waiting = try await h.manager.createJob(JobSpec(type: "work")).id  // its send wakes the pool
            #expect(await !Self.leavesPending(waiting, h), "a paused queue was claimed from")
            gate.open()
            #expect(try await h.wait(running.id, .completed), "what ran when the pause came finishes")
            #expect(try await h.status(waiting) == .pending)
            try await h.queue.resume()  // the ticker is an hour away: only the resume's wake-up can start it
            #expect(try await h.wait(waiting, .completed))
        }
    }

    /// Whether job `id` leaves `pending` within 200 ms (it should not: nothing may claim it).
    private static func leavesPending(_ id: String, _ h: JobHarness) async -> Bool {
        await waitUntil(timeout: .milliseconds(200)) { (try? await h.status(id)) != .pending }
    }

    @Test("a paused job type waits while the others run", arguments: StoreKind.available)
    func pausedType(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, register: { pool in
            pool.register("slow") { _ in nil }
            pool.register("fast") { _ in nil }
        }) { h in
            try await h.queue.pause(type: "slow")
            let slow = try await h.manager.createJob(JobSpec(type: "slow"))
            let fast = try await h.manager.createJob(JobSpec(type: "fast"))
            #expect(try await h.wait(fast.id, .completed))
            #expect(try await h.status(slow.id) == .pending)
            try await h.queue.resume(type: "slow")
            #expect(try await h.wait(slow.id, .completed))
        }
    }
}
