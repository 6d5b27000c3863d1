import Logging
@testable import QuaeroQueue
import QuaeroTestSupport
import ServiceLifecycle
import Synchronization
import Testing

@Suite("WorkerPool", .timeLimit(.minutes(1)))
struct WorkerPoolTests {
    @Test("messages are routed to the handler of their type", arguments: StoreKind.available)
    func routing(_ kind: StoreKind) async throws {
        let seen = Recorder<String>()
        try await withJobHarness(kind, register: { pool in
            pool.register("alpha") { context in seen.append("alpha:\(context.job.id)"); return .string("a") }
            pool.register("beta") { context in seen.append("beta:\(context.job.id)"); return .string("b") }
        }) { h in
            let a = try await h.manager.createJob(JobSpec(type: "alpha"))
            let b = try await h.manager.createJob(JobSpec(type: "beta"))
            #expect(try await h.wait(a.id, .completed))
            #expect(try await h.wait(b.id, .completed))
            #expect(Set(seen.all) == ["alpha:\(a.id)", "beta:\(b.id)"])
            #expect(try await h.manager.getJob(a.id).result == .string("a"))
            #expect(try await h.manager.getJob(b.id).result == .string("b"))
        }
    }

    @Test("the concurrency limit is never exceeded", arguments: StoreKind.available)
    func concurrencyLimit(_ kind: StoreKind) async throws {
        let running = Atomic<Int>(0)
        let most = Atomic<Int>(0)
        try await withJobHarness(kind, pool: WorkerPoolOptions(concurrency: 3, pollInterval: .seconds(3600)), register: { pool in
            pool.register("work") { _ in
                let now = running.add(1, ordering: .relaxed).newValue
                most.max(now, ordering: .relaxed)
                try await Task.sleep(for: .milliseconds(2))  // simulated work, not a wait for correctness
                running.subtract(1, ordering: .relaxed)
                return nil
            }
        }) { h in
            var ids: [String] = []
            for _ in 0..<40 { ids.append(try await h.manager.createJob(JobSpec(type: "work")).id) }
            for id in ids { #expect(try await h.wait(id, .completed)) }
            #expect(most.load(ordering: .relaxed) <= 3)
            #expect(most.load(ordering: .relaxed) >= 2)
        }
    }

    @Test("a job enqueued in-process starts at once, without the ticker", arguments: StoreKind.available)
    func wakesOnEnqueue(_ kind: StoreKind) async throws {
        // The manual clock never moves and the poll interval is an hour: only the send signal can wake the pool.
        try await withJobHarness(kind, register: { $0.register("quick") { _ in nil } }) { h in
            for _ in 0..<3 {
                let job = try await h.manager.createJob(JobSpec(type: "quick"))
                #expect(try await h.wait(job.id, .completed, timeout: .seconds(5)))
            }
        }
    }

    @Test("the ticker picks up work sent by another process (no send signal reaches this one)", arguments: StoreKind.shared)
    func tickerFindsOtherSends(_ kind: StoreKind) async throws {
        let clock = ManualClock()
        try await withStore(kind, clock: clock) { store in
            let queue = try Queue(name: "jobs", store: store)
            let pool = try WorkerPool(manager: JobManager(queue: queue), options: WorkerPoolOptions(pollInterval: .seconds(1)))
            pool.register("quick") { _ in nil }
            try await pool.start()
            let local = try await pool.manager.createJob(JobSpec(type: "quick"))
            #expect(await waitUntil { (try? await pool.manager.getJob(local.id).status) == .completed }, "the pool is idle again")
            // A second handle on the same database stands in for another process: its sends signal nobody here.
            try await withAnotherHandle(on: store, kind: kind, clock: clock) { other in
                let job = try await JobManager(queue: try Queue(name: "jobs", store: other)).createJob(JobSpec(type: "quick"))
                let early = await waitUntil(timeout: .milliseconds(100)) { (try? await pool.manager.getJob(job.id).status) != .pending }
                #expect(!early, "nothing woke the pool before its tick")
                clock.advance(by: .seconds(1))
                #expect(await waitUntil { (try? await pool.manager.getJob(job.id).status) == .completed })
            }
            await pool.stop()
        }
    }

    @Test("stop() releases in-flight work and a new pool finishes it", arguments: StoreKind.available)
    func stopReleases(_ kind: StoreKind) async throws {
        try await withRunningJob(kind, shutdownTimeout: .zero) { h, job in
            await h.pool.stop()
            #expect(try await h.status(job.id) == .pending)
            let stats = try await h.queue.stats().totals
            #expect(stats.ready == 1 && stats.inFlight == 0)
            let message = try #require(try await h.messageID(of: job.id))
            #expect(try await h.store.message(message)?.received == 0, "an interrupted attempt is refunded")

            let next = try WorkerPool(manager: h.manager, options: WorkerPoolOptions(pollInterval: .seconds(3600)))
            next.register("long") { _ in .string("done") }
            try await next.start()
            #expect(try await h.wait(job.id, .completed))
            await next.stop()
        }
    }

    @Test("stopRunningJobsNow() during stop() gives the running jobs back before the shutdown timeout", arguments: StoreKind.available)
    func stopNow(_ kind: StoreKind) async throws {
        try await withRunningJob(kind, shutdownTimeout: .seconds(60)) { h, job in
            // The manual clock never reaches the 60 s timeout: only the call ends the wait.
            let stopping = Task { await h.pool.stop() }
            #expect(await waitUntil { h.pool.state.withLock { $0.slots.stopping } })
            h.pool.stopRunningJobsNow()
            await stopping.value
            try await expectGivenBack(h, job)
        }
    }

    @Test("stopRunningJobsNow() before stop() stops nothing yet, and the stop then gives the running jobs back at once", arguments: StoreKind.available)
    func stopNowBeforeStop(_ kind: StoreKind) async throws {
        // A second Ctrl-C that reaches the pool before the service group has begun to stop it.
        try await withRunningJob(kind, shutdownTimeout: .seconds(60)) { h, job in
            h.pool.stopRunningJobsNow()
            try await Task.sleep(for: .milliseconds(50))  // what would stop it has had time to: nothing does
            #expect(h.pool.state.withLock { $0.attempts.count } == 1)
            #expect(try await h.status(job.id) == .running)
            let stopped = Locked(false)
            let stopping = Task {
                await h.pool.stop()
                stopped.withLock { $0 = true }
            }
            #expect(await waitUntil(timeout: .seconds(10)) { stopped.value }, "the stop waited for the running job")
            h.pool.stopRunningJobsNow()  // when it waits, the test ends all the same
            await stopping.value
            try await expectGivenBack(h, job)
        }
    }

    /// The job interrupted by the stop is back in the queue, its receive refunded.
    private func expectGivenBack(_ h: JobHarness, _ job: Job) async throws {
        #expect(h.pool.state.withLock { $0.attempts.count } == 0)
        #expect(try await h.status(job.id) == .pending)
        let message = try #require(try await h.messageID(of: job.id))
        #expect(try await h.store.message(message)?.received == 0, "an interrupted attempt is refunded")
    }

    /// Runs `body` once a job of type "long", whose handler runs until it is cancelled, has started in the pool.
    private func withRunningJob(_ kind: StoreKind, shutdownTimeout: Duration,
                                _ body: (JobHarness, Job) async throws -> Void) async throws {
        let started = Gate()
        try await withJobHarness(kind, pool: WorkerPoolOptions(pollInterval: .seconds(3600), shutdownTimeout: shutdownTimeout), register: { pool in
            pool.register("long") { _ in
                started.open()
                try await waitForCancellation()
                return nil
            }
        }) { h in
            let job = try await h.manager.createJob(JobSpec(type: "long"))
            try await started.wait()
            try await body(h, job)
        }
    }

    @Test("stop() lets running handlers finish within the shutdown timeout", arguments: StoreKind.available)
    func stopWaits(_ kind: StoreKind) async throws {
        let gate = Gate()
        let started = Gate()
        try await withJobHarness(kind, pool: WorkerPoolOptions(pollInterval: .seconds(3600), shutdownTimeout: .seconds(60)), register: { pool in
            pool.register("slow") { _ in
                started.open()
                try await gate.wait()
                return .bool(true)
            }
        }) { h in
            let job = try await h.manager.createJob(JobSpec(type: "slow"))
            try await started.wait()
            async let stopping: Void = h.pool.stop()
            gate.open()
            await stopping
            #expect(try await h.status(job.id) == .completed)
        }
    }

    @Test("the leases of a pool that missed three heartbeats are released at start and by a running pool", arguments: StoreKind.available)
    func liveness(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false, register: { $0.register("work") { _ in nil } }) { h in
            let queue = h.queue
            // A pool that died holding a job's lease: its last heartbeat is 16 s old with a 5 s interval.
            let job = try await h.manager.createJob(JobSpec(type: "work"))
            let dead = try await h.store.write { tx in
                let dead = try await tx.registerPool(name: "dead", pid: 1, heartbeat: .seconds(5))
                #expect(try await tx.claim(queue.request(limit: 1, owner: dead)).claimed.count == 1)
                return dead
            }
            h.clock.advance(by: .seconds(16))
            try await h.pool.start()
            #expect(try await h.wait(job.id, .completed))
            #expect(!(try await h.manager.workerPools().map(\.id).contains(dead)))

            // A pool that dies while this one runs: noticed at this pool's next heartbeat.
            let second = try await h.manager.createJob(JobSpec(type: "work"))
            #expect(try await h.wait(second.id, .completed))
            let third = try await h.store.write { tx -> String in
                let job = try await h.manager.createJob(JobSpec(type: "work"), in: tx)
                let dying = try await tx.registerPool(name: "dead", pid: 1, heartbeat: .seconds(1))
                #expect(try await tx.claim(queue.request(limit: 1, owner: dying)).claimed.map(\.job?.id) == [job.id])
                return job.id
            }
            h.clock.advance(by: .seconds(5))  // the pool's ticker and heartbeat
            #expect(try await h.wait(third, .completed))
        }
    }

    @Test("a pool cannot start twice; bad options are refused with the option's name", arguments: StoreKind.available)
    func badUse(_ kind: StoreKind) async throws {
        try await withJobHarness(kind) { h in
            await #expect(throws: QuaeroError.self) { try await h.pool.start() }
            #expect(throws: QuaeroError(.invalidArgument, "concurrency must be at least 1, got 0")) {
                try WorkerPool(manager: h.manager, options: WorkerPoolOptions(concurrency: 0))
            }
            #expect(throws: QuaeroError(.invalidArgument, "poll_interval must be positive, got 0.0 seconds")) {
                try WorkerPool(manager: h.manager, options: WorkerPoolOptions(pollInterval: .zero))
            }
            #expect(throws: QuaeroError.self) {
                try WorkerPool(manager: h.manager, options: WorkerPoolOptions(backoffBase: .seconds(10), backoffMax: .seconds(1)))
            }
        }
    }

    @Test("registering a type twice is a precondition failure")
    func registerTwice() async {
        await #expect(processExitsWith: .failure) {
            let pool = try! await withStore(.sqliteMemory) { store in
                try WorkerPool(manager: JobManager(queue: try Queue(name: "q", store: store)))
            }
            pool.register("x") { _ in nil }
            pool.register("x") { _ in nil }
        }
    }
}


@Suite("WorkerPool as a Service", .timeLimit(.minutes(1)))
struct WorkerPoolServiceTests {
    @Test("a ServiceGroup runs the pool and its graceful shutdown stops it, unregistering it", arguments: StoreKind.available)
    func serviceGroup(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false, register: { $0.register("quick") { _ in nil } }) { h in
            let group = ServiceGroup(services: [h.pool], logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                #expect(await waitUntil { h.pool.poolID != nil })
                let job = try await h.manager.createJob(JobSpec(type: "quick"))
                #expect(try await h.wait(job.id, .completed))
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(h.pool.poolID == nil)
            #expect(try await h.manager.workerPools().isEmpty)
        }
    }
}
