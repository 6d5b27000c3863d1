import Foundation
@testable import QuaeroQueue
import QuaeroTestSupport
import Synchronization
import Testing

struct Boom: Error, CustomStringConvertible {
    var description: String { "boom" }
}

@Suite("WorkerPool failures", .timeLimit(.minutes(1)))
struct WorkerPoolFailureTests {
    @Test("failed attempts are retried on the exponential backoff schedule, capped, then dead-lettered", arguments: StoreKind.available)
    func backoffSchedule(_ kind: StoreKind) async throws {
        let attempts = Recorder<Int>()
        let options = WorkerPoolOptions(pollInterval: .seconds(3600), backoffBase: .seconds(1), backoffMax: .seconds(4), backoffJitter: 0)
        try await withJobHarness(kind, queue: QueueOptions(visibilityTimeout: .seconds(30), maxReceive: 5), pool: options, register: { pool in
            pool.register("flaky") { context in
                attempts.append(context.attempt)
                throw Boom()
            }
        }) { h in
            let job = try await h.manager.createJob(JobSpec(type: "flaky"))
            let message = try #require(try await h.messageID(of: job.id))
            for (attempt, delay) in [(1, 1000), (2, 2000), (3, 4000), (4, 4000)] as [(Int, Int64)] {
                #expect(await waitUntil { attempts.count == attempt })
                #expect(try await h.wait(job.id, .pending))
                #expect(try await h.hiddenFor(message) == delay, "attempt \(attempt) is retried after \(delay) ms")
                #expect(try await h.manager.getJob(job.id).error == "boom")
                // One millisecond early nothing runs; on time, the ticker wakes the pool and it runs.
                h.clock.advance(by: .milliseconds(Int(delay) - 1))
                let early = try await h.queue.stats().totals
                #expect(early.delayed == 1)
                h.clock.advance(by: .milliseconds(1))
                h.pool.wake()
            }
            #expect(try await h.wait(job.id, .failed))
            #expect(attempts.all == [1, 2, 3, 4, 5])
            let dead = try await h.queue.deadLetters()
            #expect(dead.count == 1)
            #expect(dead.first?.error?.contains("boom") == true)
            #expect(try await h.manager.getJob(job.id).error?.contains("max_receive 5") == true)
        }
    }

    @Test("the backoff schedule doubles from the base up to the cap, less its jitter")
    func backoffMaths() {
        let backoff = Backoff(base: .milliseconds(100), max: .seconds(1), jitter: 0.5)
        #expect((1...6).map { backoff.delay(afterAttempt: $0, random: 0) }
                == [100, 200, 400, 800, 1000, 1000].map { Duration.milliseconds($0) })
        #expect(backoff.delay(afterAttempt: 3, random: 0.999) == .milliseconds(200))
        #expect(backoff.delay(afterAttempt: 90, random: 0) == .seconds(1))
    }

    @Test("the lease heartbeat keeps a job alive far past the visibility timeout", arguments: StoreKind.available)
    func heartbeatKeepsLease(_ kind: StoreKind) async throws {
        let gate = Gate()
        let started = Gate()
        try await withJobHarness(kind, register: { pool in
            pool.register("long") { _ in
                started.open()
                try await gate.wait()
                return nil
            }
        }) { h in
            let job = try await h.manager.createJob(JobSpec(type: "long"))
            try await started.wait()
            let message = try #require(try await h.messageID(of: job.id))
            for _ in 0..<12 {  // 12 × 10 s = 4 visibility timeouts of 30 s
                h.clock.advance(by: .seconds(10))  // ticker, pool beat (heartbeat and leases)
                #expect(await waitUntil { (try? await h.hiddenFor(message)) == 30_000 }, "the lease was extended")
            }
            let other = try await h.queue.receive(limit: 10)
            #expect(other.isEmpty, "nobody else received the running job")
            gate.open()
            #expect(try await h.wait(job.id, .completed))
            #expect(try await h.manager.getJob(job.id).attempts == 1)
        }
    }

    @Test("a suspect waiting to run alone keeps its lease while the running handler takes long", arguments: StoreKind.available)
    func suspectWaitingKeepsLease(_ kind: StoreKind) async throws {
        let gate = Gate()
        let started = Gate()
        let suspectRuns = Atomic<Int>(0)
        try await withJobHarness(kind, register: { pool in
            pool.register("long") { _ in
                started.open()
                try await gate.wait()
                return nil
            }
            pool.register("suspect") { _ in
                suspectRuns.add(1, ordering: .relaxed)
                return nil
            }
        }) { h in
            let long = try await h.manager.createJob(JobSpec(type: "long"))
            try await started.wait()
            #expect(await h.settled())
            // A job whose previous delivery died with its process (a pool that claimed it and was found dead):
            // it must run alone, after "long". One write, so that the running pool cannot claim it first.
            let queue = h.queue
            let suspect = try await h.store.write { tx -> Job in
                let job = try await h.manager.createJob(JobSpec(type: "suspect"), in: tx)
                let dead = try await tx.registerPool(name: "dead", pid: 1, heartbeat: .seconds(5))
                #expect(try await tx.claim(queue.request(limit: 1, owner: dead)).claimed.map(\.job?.id) == [job.id])
                _ = try await tx.releaseLeases(ofPool: dead, reason: "\(JobEngine.diedPrefix) (pool \(dead))")
                try await tx.deletePool(dead)
                return job
            }
            let message = try #require(try await h.messageID(of: suspect.id))
            // Its send woke the pool, which claims it and holds it while "long" runs.
            #expect(await waitUntil { (try? await h.status(suspect.id)) == .running })
            // The claim commits before the pool has the delivery in hand (beside "long"'s): a beat in between would
            // not extend it yet.
            #expect(await waitUntil { h.pool.state.withLock { $0.slots.held.count == 2 } })
            for _ in 0..<12 {  // 12 × 10 s = 4 visibility timeouts of 30 s
                h.clock.advance(by: .seconds(10))
                #expect(await waitUntil { (try? await h.hiddenFor(message)) == 30_000 }, "the waiting suspect's lease was extended")
            }
            let stolen = try await h.queue.receive(limit: 10)
            #expect(stolen.isEmpty, "nobody else received the waiting suspect: \(stolen)")
            gate.open()
            #expect(try await h.wait(long.id, .completed))
            #expect(try await h.wait(suspect.id, .completed))
            #expect(suspectRuns.load(ordering: .relaxed) == 1)
        }
    }

    @Test("a lost lease cancels the handler", arguments: StoreKind.available)
    func lostLease(_ kind: StoreKind) async throws {
        let cancelled = Gate()
        let started = Gate()
        try await withJobHarness(kind, register: { pool in
            pool.register("long") { _ in
                started.open()
                do { try await waitForCancellation() } catch { cancelled.open(); throw error }
                return nil
            }
        }) { h in
            let job = try await h.manager.createJob(JobSpec(type: "long"))
            try await started.wait()
            #expect(await h.settled())
            // Another pool found this one dead and gave its leases back: the delivery is no longer current.
            let pool = try #require(h.pool.poolID)
            _ = try await h.store.write { tx in try await tx.releaseLeases(ofPool: pool, reason: "reaped by the test") }
            h.clock.advance(by: .seconds(10))
            try await cancelled.wait()
            #expect(try await h.status(job.id) == .running, "the record is left to the worker that holds the lease")
        }
    }

    @Test("a handler past its run timeout is cancelled and the attempt fails", arguments: StoreKind.available)
    func runTimeout(_ kind: StoreKind) async throws {
        let cancelled = Gate()
        let options = WorkerPoolOptions(pollInterval: .seconds(3600), backoffJitter: 0, runTimeouts: ["long": .seconds(5)])
        try await withJobHarness(kind, pool: options, register: { pool in
            pool.register("long") { _ in
                do { try await waitForCancellation() } catch { cancelled.open(); throw error }
                return nil
            }
        }) { h in
            let job = try await h.manager.createJob(JobSpec(type: "long"))
            #expect(try await h.wait(job.id, .running))
            h.clock.advance(by: .seconds(5))  // ticker, pool beat, run timeout
            try await cancelled.wait()
            #expect(try await h.wait(job.id, .pending))
            #expect(try await h.manager.getJob(job.id).error?.contains("run timeout of 5.0 seconds") == true)
        }
    }

    @Test("at max_receive the message is dead-lettered and its job marked failed", arguments: StoreKind.available)
    func deadLetterAtMaxReceive(_ kind: StoreKind) async throws {
        let options = WorkerPoolOptions(pollInterval: .seconds(3600), backoffBase: .milliseconds(1), backoffMax: .milliseconds(1), backoffJitter: 0)
        try await withJobHarness(kind, queue: QueueOptions(visibilityTimeout: .seconds(30), maxReceive: 2), pool: options, register: { pool in
            pool.register("bad") { _ in throw Boom() }
        }) { h in
            let events = h.manager.events()
            let job = try await h.manager.createJob(JobSpec(type: "bad"))
            var kinds: [JobEvent.Kind] = []
            for await event in events where event.jobID == job.id {
                kinds.append(event.kind)
                if event.kind == .retried {
                    h.clock.advance(by: .milliseconds(1))
                    h.pool.wake()
                }
                if event.isTerminal { break }
            }
            #expect(try await h.status(job.id) == .failed)
            #expect(try await h.queue.deadLetters().count == 1)
            #expect(kinds == [.created, .started, .retried, .started, .deadLettered, .failed])
        }
    }

    @Test("an unknown type and a bad body are dead-lettered at once, and the pool keeps working", arguments: StoreKind.available)
    func unrunnable(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, register: { $0.register("good") { _ in nil } }) { h in
            _ = try await h.queue.send(Data("not json".utf8), type: "good")
            let unknown = try await h.manager.createJob(JobSpec(type: "nobody"))
            #expect(try await h.wait(unknown.id, .failed))
            let good = try await h.manager.createJob(JobSpec(type: "good"))
            #expect(try await h.wait(good.id, .completed))
            let dead = try await h.queue.deadLetters()
            #expect(dead.count == 2)
            #expect(dead.contains { $0.error?.contains("not a job message") == true })
            #expect(dead.contains { $0.error?.contains("no handler is registered for job type \"nobody\"") == true })
            #expect(try await h.manager.getJob(unknown.id).error?.contains("registered: good") == true)
        }
    }

    @Test("a message sent without a record gets one and runs; an unrecoverable error dead-letters at once", arguments: StoreKind.available)
    func rawMessagesAndUnrecoverable(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, register: { pool in
            pool.register("raw") { context in .string(context.message.fields["url"]?.stringValue ?? "?") }
            pool.register("hopeless") { _ in throw UnrecoverableJobError("the input can never work") }
        }) { h in
            let id = JobMessage.newID()
            let message = JobMessage(id: id, type: "raw", fields: ["url": .string("https://example.com/")])
            _ = try await h.queue.send(try message.encoded(), type: "raw")
            #expect(try await h.wait(id, .completed))
            #expect(try await h.manager.getJob(id).result == .string("https://example.com/"))

            // A raw child of a job counts on its parent; a raw child of an ended parent does not run.
            let gate = Gate()
            h.pool.register("holder") { _ in try await gate.wait(); return nil }
            let parent = try await h.manager.createJob(JobSpec(type: "holder"))
            let childID = JobMessage.newID()
            _ = try await h.queue.send(try JobMessage(id: childID, type: "raw", parentID: parent.id).encoded(), type: "raw")
            #expect(try await h.wait(childID, .completed))
            #expect(try await h.manager.getJob(parent.id).progress == JobProgress(total: 1, completed: 1))
            gate.open()
            #expect(try await h.wait(parent.id, .completed))
            let orphan = JobMessage.newID()
            _ = try await h.queue.send(try JobMessage(id: orphan, type: "raw", parentID: parent.id).encoded(), type: "raw")
            #expect(await waitUntil {
                let totals = try? await h.queue.stats().totals
                return totals?.ready == 0 && totals?.inFlight == 0
            })
            await #expect(throws: QuaeroError.self) { try await h.manager.getJob(orphan) }

            let hopeless = try await h.manager.createJob(JobSpec(type: "hopeless"))
            #expect(try await h.wait(hopeless.id, .failed))
            let job = try await h.manager.getJob(hopeless.id)
            #expect(job.attempts == 1)
            #expect(job.error == "the input can never work")
        }
    }
}

