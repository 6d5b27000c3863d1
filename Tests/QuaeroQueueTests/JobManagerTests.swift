import Foundation
@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("JobManager", .timeLimit(.minutes(1)))
struct JobManagerTests {
    @Test("cancelling a queued job removes its message", arguments: StoreKind.available)
    func cancelQueued(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let job = try await h.manager.createJob(JobSpec(type: "later", config: ["a": .number(1)]))
            #expect(try await h.queue.stats().totals.ready == 1)
            #expect(try await h.manager.cancel(job.id) == [job.id])
            #expect(try await h.status(job.id) == .cancelled)
            #expect(try await h.queue.stats().totals.ready == 0)
            await #expect(throws: QuaeroError.self) { try await h.manager.cancel(job.id) }
            await #expect(throws: QuaeroError.self) { try await h.manager.cancel("nope") }
        }
    }

    @Test("cancelling a running job cancels its handler and its children's", arguments: StoreKind.available)
    func cancelRunningWithChildren(_ kind: StoreKind) async throws {
        let cancelled = Recorder<String>()
        let childStarted = Gate()
        try await withJobHarness(kind, register: { pool in
            pool.register("parent") { context in
                try await context.createChild(JobSpec(type: "child"))
                do { try await waitForCancellation() } catch { cancelled.append("parent"); throw error }
                return nil
            }
            pool.register("child") { _ in
                childStarted.open()
                do { try await waitForCancellation() } catch { cancelled.append("child"); throw error }
                return nil
            }
        }) { h in
            let parent = try await h.manager.createJob(JobSpec(type: "parent"))
            try await childStarted.wait()
            let ids = try await h.manager.cancel(parent.id)
            #expect(ids.count == 2)
            #expect(await waitUntil { cancelled.count == 2 })
            let tree = try await h.manager.getJobWithChildren(parent.id)
            #expect(tree.job.status == .cancelled)
            #expect(tree.children.map(\.status) == [.cancelled])
            #expect(await waitUntil { (try? await h.queue.stats().totals.inFlight) == 0 })
            #expect(try await h.queue.stats().totals.ready == 0)
        }
    }

    @Test("children's ends update the parent's counters; the parent ends when the last child does", arguments: StoreKind.available)
    func parentCompletion(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, register: { pool in
            pool.register("parent") { context in
                for i in 0..<3 { try await context.createChild(JobSpec(type: "child", config: ["fail": .bool(i == 2)])) }
                return .string("seeded")
            }
            pool.register("child") { context in
                if context.config["fail"] == .bool(true) { throw UnrecoverableJobError("told to fail") }
                return nil
            }
        }) { h in
            let tolerant = try await h.manager.createJob(JobSpec(type: "parent", failOnChildFailure: false))
            #expect(try await h.wait(tolerant.id, .completed))
            let done = try await h.manager.getJob(tolerant.id)
            #expect(done.progress == JobProgress(total: 3, completed: 2, failed: 1))
            #expect(done.result == .string("seeded"))
            #expect(done.finishedAt != nil)

            let strict = try await h.manager.createJob(JobSpec(type: "parent"))
            #expect(try await h.wait(strict.id, .failed))
            #expect(try await h.manager.getJob(strict.id).error == "1 of 3 children failed")
            let children = try await h.manager.listJobs(JobFilter(parentID: strict.id))
            #expect(children.count == 3)
            #expect(Set(children.map(\.status)) == [.completed, .failed])
        }
    }

    @Test("a parent waits for children created by the caller, then completes", arguments: StoreKind.available)
    func parentWaits(_ kind: StoreKind) async throws {
        let gate = Gate()
        try await withJobHarness(kind, register: { pool in
            pool.register("parent") { _ in nil }
            pool.register("child") { _ in try await gate.wait(); return nil }
        }) { h in
            let events = h.manager.events()
            let parent = try await h.store.write { tx -> Job in
                let parent = try await h.manager.createJob(JobSpec(type: "parent"), in: tx)
                try await h.manager.createJob(JobSpec(type: "child", parentID: parent.id), in: tx)
                return parent
            }
            for await event in events where event.jobID == parent.id && event.kind == .waitingForChildren { break }
            #expect(try await h.status(parent.id) == .running)
            gate.open()
            #expect(try await h.wait(parent.id, .completed))
        }
    }

    @Test("copyJob reruns a job with the same config", arguments: StoreKind.available)
    func copy(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, register: { $0.register("echo") { context in .object(context.config) } }) { h in
            let first = try await h.manager.createJob(JobSpec(type: "echo", config: ["n": .number(7)]))
            #expect(try await h.wait(first.id, .completed))
            let copy = try await h.manager.copyJob(first.id)
            #expect(copy.id != first.id)
            #expect(copy.config == first.config)
            #expect(try await h.wait(copy.id, .completed))
            #expect(try await h.manager.getJob(copy.id).result == .object(["n": .number(7)]))
            await #expect(throws: QuaeroError.self) { try await h.manager.copyJob("missing") }
        }
    }

    struct Sum: Codable, Sendable, Equatable {
        var total: Int
    }
    struct Numbers: Codable, Sendable {
        var values: [Int]
    }

    @Test("a handle streams the job's updates and returns its typed result", arguments: StoreKind.available)
    func handle(_ kind: StoreKind) async throws {
        let gate = Gate()
        try await withJobHarness(kind, register: { pool in
            pool.register("sum", config: Numbers.self) { numbers, context in
                try await gate.wait()
                try await context.reportProgress(completed: 1, total: 2, message: "half way")
                return Sum(total: numbers.values.reduce(0, +))
            }
        }) { h in
            let handle = try await h.manager.submit(JobSpec(type: "sum", config: ["values": .array([.number(2), .number(3)])]), as: Sum.self)
            // The handler waits until the first update (the current state) is read: opened before, the job
            // could end first, and the updates would start from its end.
            var updates = handle.updates().makeAsyncIterator()
            var seen: [JobEvent] = try await updates.next().map { [$0] } ?? []
            gate.open()
            while let update = try await updates.next() { seen.append(update) }
            #expect(seen.first?.status == .pending || seen.first?.status == .running)
            #expect(seen.contains { $0.kind == .progress && $0.message == "half way" && $0.progress == JobProgress(total: 2, completed: 1) })
            #expect(seen.last?.kind == .completed)
            #expect(try await handle.result() == Sum(total: 5))

            let bad = try await h.manager.submit(JobSpec(type: "sum", config: ["values": .string("x")]), as: Sum.self)
            await #expect(throws: JobFailedError.self) { try await bad.result() }
            #expect(try await h.manager.getJob(bad.id).error?.contains("does not decode as Numbers") == true)
        }
    }

    @Test("listJobs filters by status, type and parent, newest first, in pages; bad paging is refused", arguments: StoreKind.available)
    func list(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            var ids: [String] = []
            for i in 0..<5 { ids.append(try await h.manager.createJob(JobSpec(type: i % 2 == 0 ? "even" : "odd")).id) }
            let child = try await h.manager.createJob(JobSpec(type: "odd", parentID: ids[0]))
            _ = try await h.manager.cancel(ids[1])
            #expect(try await h.manager.listJobs().map(\.id) == ([child.id] + ids.reversed()))
            #expect(try await h.manager.listJobs(JobFilter(type: "even")).map(\.id) == [ids[4], ids[2], ids[0]])
            #expect(try await h.manager.listJobs(JobFilter(status: .cancelled)).map(\.id) == [ids[1]])
            #expect(try await h.manager.listJobs(JobFilter(parentID: ids[0])).map(\.id) == [child.id])
            #expect(try await h.manager.listJobs(JobFilter(limit: 2, offset: 1)).map(\.id) == [ids[4], ids[3]])
            await #expect(throws: QuaeroError.self) { try await h.manager.listJobs(JobFilter(limit: 0)) }
            #expect(throws: QuaeroError(.invalidArgument, "unknown job status \"done\"; use one of pending, running, completed, failed, cancelled")) {
                try JobStatus.parse("done")
            }
            let stats = try await h.manager.stats()
            #expect(stats["even"]?.pending == 3)
            #expect(stats["odd"]?.pending == 2)
            #expect(stats["odd"]?.cancelled == 1)
        }
    }

    @Test("deleteJob removes the job, its children and their messages; updateJob changes fields", arguments: StoreKind.available)
    func deleteAndUpdate(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let parent = try await h.manager.createJob(JobSpec(type: "p"))
            let child = try await h.manager.createJob(JobSpec(type: "c", parentID: parent.id))
            #expect(try await h.manager.getJob(parent.id).progress.total == 1)
            let updated = try await h.manager.updateJob(parent.id, JobChanges(config: ["k": .string("v")], message: "hello"))
            #expect(updated.config == ["k": .string("v")])
            #expect(updated.message == "hello")
            try await h.manager.deleteJob(parent.id)
            await #expect(throws: QuaeroError.self) { try await h.manager.getJob(child.id) }
            #expect(try await h.queue.stats().totals.ready == 0)
            await #expect(throws: QuaeroError.self) { try await h.manager.deleteJob(parent.id) }
        }
    }

    @Test("bad creations are refused with a clear error", arguments: StoreKind.available)
    func badCreate(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            await #expect(throws: QuaeroError(.notFound, "parent job 0000000000000000000000000z does not exist; create the parent first")) {
                try await h.manager.createJob(JobSpec(type: "c", parentID: "0000000000000000000000000z"))
            }
            await #expect(throws: QuaeroError.self) { try await h.manager.createJob(JobSpec(type: "c", id: "BAD")) }
            let parent = try await h.manager.createJob(JobSpec(type: "p"))
            try await h.manager.cancel(parent.id)
            await #expect(throws: QuaeroError.self) { try await h.manager.createJob(JobSpec(type: "c", parentID: parent.id)) }
            #expect(try await h.manager.listJobs().count == 1, "nothing was written by the refused creations")
            await #expect(throws: QuaeroError.self) {
                try await h.manager.createJobs([JobSpec(type: "ok"), JobSpec(type: "c", parentID: parent.id)])
            }
            #expect(try await h.manager.listJobs().count == 1, "a batch with a bad spec writes nothing")
            #expect(try await h.manager.createJobs([JobSpec(type: "a"), JobSpec(type: "b")]).count == 2)
        }
    }

    @Test("a batch of plain jobs is stored in order, each child counted on its parent, with its message and event",
          arguments: StoreKind.available)
    func batchCreate(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let a = try await h.manager.createJob(JobSpec(type: "p"))
            let b = try await h.manager.createJob(JobSpec(type: "p"))
            let events = h.manager.events()
            var specs = (0..<5).map { n in
                JobSpec(type: "c", config: ["n": .number(Double(n))], parentID: n < 3 ? a.id : b.id)
            }
            specs.append(JobSpec(type: "solo", fields: ["url": .string("https://x.test/")], limitKey: "host:x.test",
                                 limit: try FlowLimit(maxInFlight: 1)))
            let jobs = try await h.manager.createJobs(specs)
            #expect(jobs.map(\.type.rawValue) == ["c", "c", "c", "c", "c", "solo"])
            #expect(jobs.map(\.parentID) == [a.id, a.id, a.id, b.id, b.id, nil])
            #expect(Set(jobs.map(\.id)).count == 6)
            for (job, spec) in zip(jobs, specs) {
                let stored = try await h.manager.getJob(job.id)
                #expect(stored.status == .pending)
                #expect(stored.config == spec.config)
                #expect(stored.fields == spec.fields)
                #expect(stored.createdAt == job.createdAt)
                let messageID = try #require(try await h.messageID(of: job.id), "job \(job.id) has its message")
                #expect(try await h.store.message(messageID)?.type == spec.type.rawValue)
            }
            #expect(try await h.manager.getJob(a.id).progress.total == 3)
            #expect(try await h.manager.getJob(b.id).progress.total == 2)
            #expect(try await h.queue.stats().totals.ready == 8, "the two parents' messages and the batch's six")
            var iterator = events.makeAsyncIterator()
            for job in jobs {
                let event = await iterator.next()
                #expect(event?.kind == .created)
                #expect(event?.jobID == job.id)
            }
        }
    }

    @Test("a dedup key returns the job already queued under it", arguments: StoreKind.available)
    func dedup(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let first = try await h.manager.createJob(JobSpec(type: "c", key: "url-1"))
            let second = try await h.manager.createJob(JobSpec(type: "c", key: "url-1"))
            #expect(first.id == second.id)
            #expect(try await h.manager.listJobs().count == 1)
        }
    }

    @Test("start reconciles records left by a crash with the queue", arguments: StoreKind.available)
    func reconcile(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let released = try await h.manager.createJob(JobSpec(type: "a"))
            let dead = try await h.manager.createJob(JobSpec(type: "b"))
            let gone = try await h.manager.createJob(JobSpec(type: "c"))
            // What a crash leaves: three jobs started; one's lease given back by the store alone (its job still
            // running), one's message dead-lettered and one's gone, without their records being told.
            let queue = h.queue
            try await h.store.write { tx in
                let pool = try await tx.registerPool(name: "crashed", pid: 1, heartbeat: .seconds(5))
                let claimed = try await tx.claim(queue.request(limit: 3, owner: pool)).claimed
                #expect(claimed.compactMap(\.job).allSatisfy { $0.status == .running && $0.attempts == 1 })
                let deadOne = try #require(claimed.first { $0.job?.id == dead.id })
                let goneOne = try #require(claimed.first { $0.job?.id == gone.id })
                #expect(try await tx.deadLetter(deadOne.message.receipt, reason: "crashed 3 times"))
                try await tx.deleteMessages([goneOne.message.id])
                #expect(try await tx.releaseLeases(ofPool: pool, reason: "died").map(\.jobID) == [released.id])
            }
            try await h.manager.start()
            #expect(try await h.status(released.id) == .pending)
            #expect(try await h.manager.getJob(dead.id).error == "crashed 3 times")
            #expect(try await h.status(dead.id) == .failed)
            #expect(try await h.status(gone.id) == .failed)
        }
    }

    @Test("the job JSON has the documented shape", arguments: StoreKind.available)
    func json(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let job = try await h.manager.createJob(JobSpec(type: "c", config: ["u": .string("x")]))
            let data = try JSONEncoder().encode(job)
            let object = try JSONValue.parse(data).objectValue ?? [:]
            for key in ["id", "parent_id", "type", "status", "config", "progress", "result", "error", "created_at", "started_at", "finished_at"] {
                #expect(object[key] != nil, "key \(key)")
            }
            #expect(object["created_at"]?.stringValue == "2026-01-01T00:00:00.000Z")
            let child = try await h.manager.createJob(JobSpec(type: "c", parentID: job.id))
            let tree = try JSONValue.parse(JSONEncoder().encode(try await h.manager.getJobWithChildren(job.id)))
            #expect(tree["id"]?.stringValue == job.id)
            #expect(tree["children"]?.arrayValue?.first?["id"]?.stringValue == child.id)
            #expect(tree["progress"]?["total"]?.intValue == 1)
        }
    }

    final class LineSink: JobEventSink {
        let lines = Recorder<String>()
        func record(_ event: JobEvent) { lines.append("\(event.logLine.level) \(event.logLine.message)") }
    }

    @Test("a sink receives every event with its log line", arguments: StoreKind.available)
    func sink(_ kind: StoreKind) async throws {
        let sink = LineSink()
        try await withJobHarness(kind, register: { pool in
            pool.register("once") { context in
                if context.attempt == 1 { throw Boom() }
                return nil
            }
        }) { h in
            h.manager.addSink(sink)
            let job = try await h.manager.createJob(JobSpec(type: "once"))
            #expect(try await h.wait(job.id, .pending))
            #expect(await waitUntil { sink.lines.count >= 3 })
            h.clock.advance(by: .seconds(1))
            h.pool.wake()
            #expect(try await h.wait(job.id, .completed))
            #expect(await waitUntil { sink.lines.count == 5 })
            #expect(sink.lines.all == [
                "info job created (once)", "info attempt 1 started", "warning attempt 1 failed; retrying in 1000 ms: boom",
                "info attempt 2 started", "info completed",
            ])
        }
    }
}
