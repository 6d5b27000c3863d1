import Foundation
@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

/// The HTTP worker protocol's engine (JobManager's remote worker API), on every store: claims that announce
/// their types, lease tokens that fence every call, heartbeats, cancel, and attempts that end as a worker
/// pool's do.
@Suite("Remote workers", .timeLimit(.minutes(1)))
struct RemoteWorkerTests {
    static func claim(_ types: Set<JobType> = ["remote"], limit: Int = 1, wait: Duration = .zero, lease: Duration = .seconds(10),
                      worker: String = "py-1") throws -> WorkerClaim {
        try WorkerClaim(types: types, limit: limit, wait: wait, lease: lease, worker: worker)
    }

    @Test("a claim leases jobs of its types only, starts them with the worker's name and announces the worker",
          arguments: StoreKind.available)
    func claimLeasesAndAnnounces(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let events = h.manager.events()
            #expect(try await h.manager.isServedRemotely("remote") == false)
            let a = try await h.manager.createJob(JobSpec(type: "remote", config: ["n": .number(1)]))
            _ = try await h.manager.createJob(JobSpec(type: "other"))
            let b = try await h.manager.createJob(JobSpec(type: "remote"))
            let leased = try await h.manager.claimJobs(try Self.claim(limit: 5))
            #expect(leased.map(\.job.id) == [a.id, b.id])
            #expect(leased.allSatisfy { $0.job.status == .running && $0.job.worker == "py-1" && $0.job.attempts == 1 })
            #expect(leased[0].job.config == ["n": .number(1)])
            #expect(leased[0].leaseExpiresAt == h.clock.nowMillis() + 10_000)
            #expect(try await h.manager.getJob(a.id).worker == "py-1")
            #expect(try await h.manager.isServedRemotely("remote"))
            #expect(try await h.manager.isServedRemotely("other") == false)
            let workers = try await h.manager.remoteWorkers()
            #expect(workers.map(\.name) == ["py-1"] && workers.first?.types == ["remote"] && workers.first?.isLive == true)
            var started: [JobEvent] = []
            for await event in events where event.kind == .started {
                started.append(event)
                if started.count == 2 { break }
            }
            #expect(started.map(\.worker) == ["py-1", "py-1"])
            #expect(started.first?.logLine.message == "attempt 1 started by worker py-1")
        }
    }

    @Test("complete stores the result and deletes the message; a second complete with the same token is lease_lost",
          arguments: StoreKind.available)
    func completeOnce(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let job = try await h.manager.createJob(JobSpec(type: "remote"))
            let leased = try #require(try await h.manager.claimJobs(try Self.claim()).first)
            let done = try await h.manager.complete(job: job.id, lease: leased.lease, result: .object(["words": .number(3)]))
            #expect(done.status == .completed && done.result == .object(["words": .number(3)]))
            #expect(try await h.messageID(of: job.id) == nil)
            let again = await #expect(throws: QuaeroError.self) {
                try await h.manager.complete(job: job.id, lease: leased.lease, result: .object(["words": .number(4)]))
            }
            #expect(again?.code == .leaseLost)
            #expect(try await h.manager.getJob(job.id).result == .object(["words": .number(3)]))
        }
    }

    @Test("a worker past its lease whose job another worker claimed gets lease_lost and changes nothing",
          arguments: StoreKind.available)
    func staleLease(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let job = try await h.manager.createJob(JobSpec(type: "remote"))
            let first = try #require(try await h.manager.claimJobs(try Self.claim(lease: .seconds(2), worker: "a")).first)
            #expect(try await h.manager.claimJobs(try Self.claim(worker: "b")).isEmpty, "held by a")
            h.clock.advance(by: .seconds(2))
            let second = try #require(try await h.manager.claimJobs(try Self.claim(worker: "b")).first)
            #expect(second.job.attempts == 2 && second.job.worker == "b")
            for call in [
                { try await h.manager.heartbeat(job: job.id, lease: first.lease) as Any },
                { try await h.manager.reportProgress(job: job.id, lease: first.lease, ProgressReport(completed: 1)) as Any },
                { try await h.manager.holdLease(job: job.id, lease: first.lease) as Any },
                { try await h.manager.complete(job: job.id, lease: first.lease, result: .string("a's")) as Any },
                { try await h.manager.fail(job: job.id, lease: first.lease, error: "a failed", retry: .never) as Any },
            ] as [@Sendable () async throws -> Any] {
                let error = await #expect(throws: QuaeroError.self) { _ = try await call() }
                #expect(error?.code == .leaseLost)
                #expect(error?.message.contains("another worker claimed it") == true)
            }
            let held = try await h.manager.getJob(job.id)
            #expect(held.status == .running && held.worker == "b" && held.progress == JobProgress() && held.error == nil)
            _ = try await h.manager.complete(job: job.id, lease: second.lease, result: .string("b's"))
            #expect(try await h.manager.getJob(job.id).result == .string("b's"))
        }
    }

    @Test("a token of another job, or with another lease, is lease_lost; an unknown job is not_found",
          arguments: StoreKind.available)
    func wrongTokens(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let a = try await h.manager.createJob(JobSpec(type: "remote"))
            let b = try await h.manager.createJob(JobSpec(type: "remote"))
            let leased = try await h.manager.claimJobs(try Self.claim(limit: 2))
            let tokenA = try #require(leased.first { $0.job.id == a.id }?.lease)
            let forged = LeaseToken(receipt: Receipt(messageID: tokenA.receipt.messageID, lease: tokenA.receipt.lease &+ 1),
                                    duration: tokenA.duration)
            for (id, token) in [(b.id, tokenA), (a.id, forged)] {
                let error = await #expect(throws: QuaeroError.self) { try await h.manager.complete(job: id, lease: token, result: nil) }
                #expect(error?.code == .leaseLost)
            }
            let unknown = await #expect(throws: QuaeroError.self) {
                try await h.manager.heartbeat(job: "0000000000000000000000000z", lease: tokenA)
            }
            #expect(unknown?.code == .notFound)
            #expect(try await h.manager.getJob(a.id).status == .running)
            #expect(try await h.manager.getJob(b.id).status == .running)
        }
    }

    @Test("a heartbeat extends the lease by the claim's lease; without one the job comes back after it",
          arguments: StoreKind.available)
    func heartbeatExtends(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let job = try await h.manager.createJob(JobSpec(type: "remote"))
            let leased = try #require(try await h.manager.claimJobs(try Self.claim(lease: .seconds(3))).first)
            let message = try #require(try await h.messageID(of: job.id))
            h.clock.advance(by: .seconds(2))
            let beat = try await h.manager.heartbeat(job: job.id, lease: leased.lease)
            #expect(!beat.cancelled && beat.status == .running && beat.leaseExpiresAt == h.clock.nowMillis() + 3000)
            #expect(try await h.hiddenFor(message) == 3000)
            h.clock.advance(by: .seconds(2))
            #expect(try await h.manager.claimJobs(try Self.claim(worker: "other")).isEmpty, "the heartbeat kept it")
            h.clock.advance(by: .seconds(1))
            let retaken = try #require(try await h.manager.claimJobs(try Self.claim(worker: "other")).first)
            #expect(retaken.job.id == job.id && retaken.job.attempts == 2)
        }
    }

    @Test("cancel reaches a remote worker at its next heartbeat; its end then changes nothing", arguments: StoreKind.available)
    func cancelAtHeartbeat(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let job = try await h.manager.createJob(JobSpec(type: "remote"))
            let leased = try #require(try await h.manager.claimJobs(try Self.claim()).first)
            try await h.manager.cancel(job.id)
            let beat = try await h.manager.heartbeat(job: job.id, lease: leased.lease)
            #expect(beat.cancelled && beat.status == .cancelled && beat.leaseExpiresAt == nil)
            let error = await #expect(throws: QuaeroError.self) { try await h.manager.complete(job: job.id, lease: leased.lease, result: .number(1)) }
            #expect(error?.code == .leaseLost)
            #expect(error?.message.contains("it ended (cancelled)") == true)
            #expect(try await h.manager.getJob(job.id).status == .cancelled)
        }
    }

    @Test("fail with retry goes back after the delay; fail with retry: false fails at once and dead-letters",
          arguments: StoreKind.available)
    func failRetryAndNever(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let job = try await h.manager.createJob(JobSpec(type: "remote"))
            let first = try #require(try await h.manager.claimJobs(try Self.claim()).first)
            let retried = try await h.manager.fail(job: job.id, lease: first.lease, error: "flaky", retry: .after(.seconds(7)))
            #expect(retried.status == .pending && retried.error == "flaky")
            let message = try #require(try await h.messageID(of: job.id))
            #expect(try await h.hiddenFor(message) == 7000)
            let backoff = Backoff(base: .seconds(2), max: .seconds(60), jitter: 0)
            h.clock.advance(by: .seconds(7))
            let second = try #require(try await h.manager.claimJobs(try Self.claim()).first)
            #expect(second.job.attempts == 2)
            _ = try await h.manager.fail(job: job.id, lease: second.lease, error: "flaky again", retry: .backoff(backoff))
            #expect(try await h.hiddenFor(message) == 4000, "the backoff after attempt 2")
            h.clock.advance(by: .seconds(4))
            let third = try #require(try await h.manager.claimJobs(try Self.claim()).first)
            let failed = try await h.manager.fail(job: job.id, lease: third.lease, error: "corrupt input", retry: .never)
            #expect(failed.status == .failed && failed.error == "corrupt input" && failed.attempts == 3)
            let dead = try await h.queue.deadLetters()
            #expect(dead.map(\.jobID) == [job.id] && dead.first?.error == "corrupt input")
        }
    }

    @Test("a retried failure at max_receive is dead-lettered and its job failed, as for a Swift handler",
          arguments: StoreKind.available)
    func maxReceive(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, queue: QueueOptions(visibilityTimeout: .seconds(30), maxReceive: 2), start: false) { h in
            let job = try await h.manager.createJob(JobSpec(type: "remote"))
            for attempt in 1...2 {
                let leased = try #require(try await h.manager.claimJobs(try Self.claim()).first)
                _ = try await h.manager.fail(job: job.id, lease: leased.lease, error: "boom \(attempt)", retry: .after(.zero))
            }
            let failed = try await h.manager.getJob(job.id)
            #expect(failed.status == .failed && failed.error?.contains("max_receive 2") == true && failed.error?.contains("boom 2") == true)
            #expect(try await h.queue.deadLetters().count == 1)
        }
    }

    @Test("a remote child's end counts on its parent, which completes when all children ended", arguments: StoreKind.available)
    func parentProgress(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let parent = try await h.manager.createJob(JobSpec(type: "batch"))
            let children = try await h.manager.createJobs((0..<2).map { _ in JobSpec(type: "remote", parentID: parent.id) })
            let parentLease = try #require(try await h.manager.claimJobs(try Self.claim(["batch"])).first)
            try await h.manager.complete(job: parent.id, lease: parentLease.lease, result: nil)
            #expect(try await h.manager.getJob(parent.id).status == .running, "it waits for its children")
            let leased = try await h.manager.claimJobs(try Self.claim(limit: 2))
            #expect(Set(leased.map(\.job.id)) == Set(children.map(\.id)))
            try await h.manager.complete(job: leased[0].job.id, lease: leased[0].lease, result: nil)
            #expect(try await h.manager.getJob(parent.id).progress == JobProgress(total: 2, completed: 1, failed: 0))
            try await h.manager.fail(job: leased[1].job.id, lease: leased[1].lease, error: "bad", retry: .never)
            let ended = try await h.manager.getJob(parent.id)
            #expect(ended.status == .failed && ended.progress == JobProgress(total: 2, completed: 1, failed: 1))
        }
    }

    @Test("progress merges the counters given, and logs' lease check extends the lease", arguments: StoreKind.available)
    func progressAndHold(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let job = try await h.manager.createJob(JobSpec(type: "remote"))
            let leased = try #require(try await h.manager.claimJobs(try Self.claim(lease: .seconds(5))).first)
            let message = try #require(try await h.messageID(of: job.id))
            _ = try await h.manager.reportProgress(job: job.id, lease: leased.lease, ProgressReport(completed: 1, total: 4))
            h.clock.advance(by: .seconds(2))
            let updated = try await h.manager.reportProgress(job: job.id, lease: leased.lease, ProgressReport(completed: 2, message: "half"))
            #expect(updated.progress == JobProgress(total: 4, completed: 2, failed: 0) && updated.message == "half")
            #expect(try await h.hiddenFor(message) == 5000, "progress extends the lease")
            h.clock.advance(by: .seconds(2))
            _ = try await h.manager.holdLease(job: job.id, lease: leased.lease)
            #expect(try await h.hiddenFor(message) == 5000)
        }
    }

    @Test("a long poll wakes when a job of its types is created, and returns nothing at its deadline",
          arguments: StoreKind.available)
    func longPoll(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let claim = try Self.claim(wait: .seconds(30), lease: .seconds(3600))
            let waiting = Task { try await h.manager.claimJobs(claim, pollInterval: .seconds(3600)) }
            // Another type wakes the poll too, which claims nothing and waits on.
            _ = try await h.manager.createJob(JobSpec(type: "other"))
            let job = try await h.manager.createJob(JobSpec(type: "remote"))
            #expect(try await waiting.value.map(\.job.id) == [job.id], "woken by the send, with the clock standing still")

            let answer = Locked<[LeasedJob]?>(nil)
            let empty = Task {
                let leased = try await h.manager.claimJobs(claim, pollInterval: .seconds(3600))
                answer.withLock { $0 = leased }
            }
            // The deadline counts from the claim's start on the clock: moved on a second at a time, it comes.
            #expect(await waitUntil { h.clock.advance(by: .seconds(1)); return answer.value != nil })
            empty.cancel()
            #expect(answer.value?.isEmpty == true)
        }
    }

    @Test("a cancelled long poll ends at once with nothing", arguments: StoreKind.available)
    func longPollCancelled(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let claim = try Self.claim(wait: .seconds(60))
            let waiting = Task { try await h.manager.claimJobs(claim, pollInterval: .seconds(3600)) }
            waiting.cancel()
            let leased = try await waiting.value
            #expect(leased.isEmpty)
        }
    }

    @Test("a worker pool neither claims nor dead-letters a type a live remote worker serves, until it expires",
          arguments: StoreKind.available)
    func poolLeavesRemoteTypes(_ kind: StoreKind) async throws {
        let ran = Recorder<String>()
        try await withJobHarness(kind, register: { pool in
            pool.register("local") { context in
                ran.append(context.job.id)
                return nil
            }
        }) { h in
            _ = try await h.manager.claimJobs(try Self.claim(wait: .zero, lease: .seconds(10)))  // announces "remote"
            let remote = try await h.manager.createJob(JobSpec(type: "remote"))
            let local = try await h.manager.createJob(JobSpec(type: "local"))
            #expect(try await h.wait(local.id, .completed))
            h.pool.wake()
            #expect(try await h.wait(local.id, .completed))
            #expect(try await h.status(remote.id) == .pending, "left for the remote worker")
            #expect(try await h.queue.deadLetters().isEmpty)
            // Its announcement lives three rounds of (wait + lease); then the type has no server at all.
            h.clock.advance(by: .seconds(30))
            #expect(try await h.manager.isServedRemotely("remote") == false)
            h.pool.wake()
            #expect(try await h.wait(remote.id, .failed))
            #expect(try await h.manager.getJob(remote.id).error?.contains("no handler is registered") == true)
            #expect(ran.all == [local.id])
        }
    }

    @Test("types declared remote are left alone while no remote worker is live", arguments: StoreKind.available)
    func declaredRemoteTypes(_ kind: StoreKind) async throws {
        let options = WorkerPoolOptions(pollInterval: .seconds(3600), backoffJitter: 0, remoteTypes: ["resize"])
        try await withJobHarness(kind, pool: options, register: { $0.register("local") { _ in nil } }) { h in
            let declared = try await h.manager.createJob(JobSpec(type: "resize"))
            let local = try await h.manager.createJob(JobSpec(type: "local"))
            #expect(try await h.wait(local.id, .completed))
            #expect(try await h.status(declared.id) == .pending)
            let leased = try #require(try await h.manager.claimJobs(try Self.claim(["resize"])).first)
            #expect(leased.job.id == declared.id)
        }
    }

    @Test("announcements are in the store: another process's pool leaves the type alone", arguments: StoreKind.shared)
    func announcementsAcrossHandles(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            _ = try await h.manager.claimJobs(try Self.claim(["resize"]))
            try await withAnotherHandle(on: h.store, kind: kind, clock: h.clock) { other in
                let manager = JobManager(queue: try Queue(name: h.queue.name, store: other, options: h.queue.options))
                #expect(try await manager.isServedRemotely("resize"))
                let pool = try WorkerPool(manager: manager, options: WorkerPoolOptions(pollInterval: .seconds(3600)))
                pool.register("local") { _ in nil }
                let remote = try await manager.createJob(JobSpec(type: "resize"))
                let local = try await manager.createJob(JobSpec(type: "local"))
                try await pool.start()
                #expect(await waitUntil { (try? await manager.getJob(local.id).status) == .completed })
                #expect(try await manager.getJob(remote.id).status == .pending)
                await pool.stop()
            }
        }
    }

    @Test("a heartbeat renews the worker's announcements; expired ones are forgotten after an hour",
          arguments: StoreKind.available)
    func announcementLife(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let job = try await h.manager.createJob(JobSpec(type: "remote"))
            let leased = try #require(try await h.manager.claimJobs(try Self.claim(lease: .seconds(2))).first)
            #expect(try await h.manager.remoteWorkers().first?.expiresAt == h.clock.nowMillis() + 6000)
            for _ in 0..<5 {
                h.clock.advance(by: .seconds(1))
                _ = try await h.manager.heartbeat(job: job.id, lease: leased.lease)
            }
            #expect(try await h.manager.isServedRemotely("remote"), "kept live by the heartbeats of a long job")
            h.clock.advance(by: .seconds(6))
            let gone = try await h.manager.remoteWorkers()
            #expect(gone.count == 1 && gone.first?.isLive == false && gone.first?.types == [])
            h.clock.advance(by: WorkerProtocol.forgetAfter)
            #expect(try await h.store.write { tx in try await tx.forgetWorkers(expiredFor: WorkerProtocol.forgetAfter) } == 1)
            #expect(try await h.manager.remoteWorkers().isEmpty)
        }
    }

    @Test("a message sent without a record is adopted by a remote claim; a body that is no job message is dead-lettered",
          arguments: StoreKind.available)
    func adoptsRecordlessMessages(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let message = JobMessage(id: JobMessage.newID(), type: "remote", parentID: nil, fields: ["config": .object(["x": .number(1)])])
            _ = try await h.queue.send(try message.encoded(), type: "remote")
            _ = try await h.queue.send(Data("not json".utf8), type: "remote")
            let leased = try await h.manager.claimJobs(try Self.claim(limit: 5))
            #expect(leased.map(\.job.id) == [message.id])
            #expect(leased.first?.job.config == ["x": .number(1)] && leased.first?.job.status == .running)
            #expect(try await h.queue.deadLetters().count == 1)
        }
    }

    @Test("lease tokens: the text round-trips, other texts are refused, durations are clamped")
    func leaseTokens() {
        let token = LeaseToken(receipt: Receipt(messageID: 42, lease: -7), duration: .seconds(30))
        #expect(token.description.count == LeaseToken.length && token.description.hasPrefix("q1-"))
        #expect(LeaseToken(token.description) == token)
        #expect(token.description.range(of: LeaseToken.pattern, options: .regularExpression) != nil)
        for bad in ["", "q1-", "q2-" + String(repeating: "0", count: 40), "q1-" + String(repeating: "0", count: 39),
                    "q1-" + String(repeating: "A", count: 40), "q1-" + String(repeating: "0", count: 41), token.description + " "] {
            #expect(LeaseToken(bad) == nil, "\(bad)")
        }
        let zero = LeaseToken("q1-" + String(repeating: "0", count: 40))
        #expect(zero?.duration == WorkerProtocol.leaseRange.lowerBound)
        #expect(LeaseToken("q1-" + String(repeating: "f", count: 40))?.duration == WorkerProtocol.leaseRange.upperBound)
    }

    @Test("a claim out of the protocol's limits names the value")
    func claimLimits() {
        let cases: [(String, () throws -> WorkerClaim)] = [
            ("types must name 1 to 100", { try WorkerClaim(types: [], worker: "w") }),
            ("limit must be within 1...100, not 0", { try WorkerClaim(types: ["t"], limit: 0, worker: "w") }),
            ("limit must be within 1...100, not -1", { try WorkerClaim(types: ["t"], limit: -1, worker: "w") }),
            ("wait must be within 0s...60s, not 61000 ms", { try WorkerClaim(types: ["t"], wait: .seconds(61), worker: "w") }),
            ("lease must be within 1s...3600s, not 500 ms", { try WorkerClaim(types: ["t"], lease: .milliseconds(500), worker: "w") }),
            ("the worker name must be 1 to 100", { try WorkerClaim(types: ["t"], worker: "") }),
            ("the worker name contains a control character", { try WorkerClaim(types: ["t"], worker: "a\u{7}") }),
            ("job type", { try WorkerClaim(types: [JobType(String(repeating: "x", count: 101))], worker: "w") }),
        ]
        for (expected, make) in cases {
            let error = #expect(throws: QuaeroError.self) { _ = try make() }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        }
    }
}
