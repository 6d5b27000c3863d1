import Logging
@testable import QuaeroQueue
import QuaeroTestSupport
import ServiceLifecycle
import Synchronization
import Testing

@Suite("WorkerPool", .timeLimit(.minutes(1)))
struct WorkerPoolTests {
    @Test("messages are routed to the handler of their type")
    func routing() async throws {
        let seen = Recorder<String>()
        try await withJobHarness(register: { pool in
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

    @Test("the concurrency limit is never exceeded")
    func concurrencyLimit() async throws {
        let running = Atomic<Int>(0)
        let most = Atomic<Int>(0)
        try await withJobHarness(pool: WorkerPoolOptions(concurrency: 3, pollInterval: .seconds(3600)), register: { pool in
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

    @Test("a job enqueued in-process starts at once, without the ticker")
    func wakesOnEnqueue() async throws {
        // The manual clock never moves and the poll interval is an hour: only the send signal can wake the pool.
        try await withJobHarness(register: { $0.register("quick") { _ in nil } }) { h in
            for _ in 0..<3 {
                let job = try await h.manager.createJob(JobSpec(type: "quick"))
                #expect(try await h.wait(job.id, .completed, timeout: .seconds(5)))
            }
        }
    }

    @Test("the ticker picks up work sent by another process (no send signal reaches this one)")
    func tickerFindsOtherSends() async throws {
        try await withTemporaryDatabase { database, directory in
            let clock = ManualClock()
            let queue = try Queue(name: "jobs", database: database, clock: clock)
            let pool = try WorkerPool(manager: JobManager(queue: queue), options: WorkerPoolOptions(pollInterval: .seconds(1)), clock: clock)
            pool.register("quick") { _ in nil }
            try await pool.start()
            let local = try await pool.manager.createJob(JobSpec(type: "quick"))
            #expect(await waitUntil { (try? await pool.manager.getJob(local.id).status) == .completed }, "the pool is idle again")
            // A second connection to the same file stands in for another process: its sends signal nobody here.
            let other = try Database(path: directory.path("quaero.db"))
            let job = try await JobManager(queue: try Queue(name: "jobs", database: other, clock: clock)).createJob(JobSpec(type: "quick"))
            let early = await waitUntil(timeout: .milliseconds(100)) { (try? await pool.manager.getJob(job.id).status) != .pending }
            #expect(!early, "nothing woke the pool before its tick")
            #expect(await waitUntil { clock.sleeperCount >= 2 })
            clock.advance(by: .seconds(1))
            #expect(await waitUntil { (try? await pool.manager.getJob(job.id).status) == .completed })
            await pool.stop()
            await other.close()
        }
    }

    @Test("stop() releases in-flight work and a new pool finishes it")
    func stopReleases() async throws {
        let started = Gate()
        try await withJobHarness(pool: WorkerPoolOptions(pollInterval: .seconds(3600), shutdownTimeout: .zero), register: { pool in
            pool.register("long") { _ in
                started.open()
                try await waitForCancellation()
                return nil
            }
        }) { h in
            let job = try await h.manager.createJob(JobSpec(type: "long"))
            try await started.wait()
            await h.pool.stop()
            #expect(try await h.status(job.id) == .pending)
            let stats = try await h.queue.stats().totals
            #expect(stats.ready == 1 && stats.inFlight == 0)
            let received = try await h.database.read { try $0.queryFirst("SELECT received FROM messages", []) { $0.int(0) } }
            #expect(received == 0, "an interrupted attempt is refunded")

            let next = try WorkerPool(manager: h.manager, options: WorkerPoolOptions(pollInterval: .seconds(3600)), clock: h.clock)
            next.register("long") { _ in .string("done") }
            try await next.start()
            #expect(try await h.wait(job.id, .completed))
            await next.stop()
        }
    }

    @Test("stop() lets running handlers finish within the shutdown timeout")
    func stopWaits() async throws {
        let gate = Gate()
        let started = Gate()
        try await withJobHarness(pool: WorkerPoolOptions(pollInterval: .seconds(3600), shutdownTimeout: .seconds(60)), register: { pool in
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

    @Test("the leases of a pool that missed three heartbeats are released at start and by a running pool")
    func liveness() async throws {
        try await withJobHarness(start: false, register: { $0.register("work") { _ in nil } }) { h in
            let now = h.clock.nowMillis()
            // A pool that died: its last heartbeat is 16 s old with a 5 s interval; it holds a job's lease for an hour.
            let job = try await h.manager.createJob(JobSpec(type: "work"))
            try await h.database.write { c in
                try c.execute("INSERT INTO worker_pools (id, name, pid, started_at, heartbeat_at, heartbeat_ms) VALUES (900, 'dead', 1, ?1, ?1, 5000)", [now - 16_000])
                try c.execute("UPDATE messages SET lease = 7, owner = 900, received = 1, leased_until = ?1", [now + 3_600_000])
                try c.execute("UPDATE jobs SET status = 'running', attempts = 1")
            }
            try await h.pool.start()
            #expect(try await h.wait(job.id, .completed))
            let pools = try await h.database.read { try $0.query("SELECT id FROM worker_pools", []) { $0.int64(0) } }
            #expect(!pools.contains(900))

            // A pool that dies while this one runs: noticed at this pool's next heartbeat.
            let second = try await h.manager.createJob(JobSpec(type: "work"))
            #expect(try await h.wait(second.id, .completed))
            let third = try await h.database.write { c -> String in
                let job = try h.manager.createJob(JobSpec(type: "work"), in: c)
                try c.execute("INSERT INTO worker_pools (id, name, pid, started_at, heartbeat_at, heartbeat_ms) VALUES (7001, 'dead', 1, ?1, ?1, 1000)", [now - 10_000])
                try c.execute("UPDATE messages SET lease = 7, owner = 7001, received = 1, leased_until = ?1 WHERE id = (SELECT message_id FROM jobs WHERE id = ?2)", [now + 3_600_000, job.id])
                return job.id
            }
            try await h.advance(by: .seconds(5), whenSleepers: 2)  // ticker and heartbeat
            #expect(try await h.wait(third, .completed))
        }
    }

    @Test("a pool cannot start twice; bad options are refused with the option's name")
    func badUse() async throws {
        try await withJobHarness { h in
            await #expect(throws: QuaeroError.self) { try await h.pool.start() }
            #expect(throws: QuaeroError(.invalidArgument, "concurrency must be at least 1, got 0")) {
                try WorkerPool(manager: h.manager, options: WorkerPoolOptions(concurrency: 0), clock: h.clock)
            }
            #expect(throws: QuaeroError(.invalidArgument, "poll_interval must be positive, got 0.0 seconds")) {
                try WorkerPool(manager: h.manager, options: WorkerPoolOptions(pollInterval: .zero), clock: h.clock)
            }
            #expect(throws: QuaeroError.self) {
                try WorkerPool(manager: h.manager, options: WorkerPoolOptions(backoffBase: .seconds(10), backoffMax: .seconds(1)), clock: h.clock)
            }
        }
    }

    @Test("registering a type twice is a precondition failure")
    func registerTwice() async {
        await #expect(processExitsWith: .failure) {
            let pool = try! await withTemporaryDatabase { database, _ in
                try WorkerPool(manager: JobManager(queue: try Queue(name: "q", database: database)))
            }
            pool.register("x") { _ in nil }
            pool.register("x") { _ in nil }
        }
    }
}


@Suite("WorkerPool as a Service", .timeLimit(.minutes(1)))
struct WorkerPoolServiceTests {
    @Test("a ServiceGroup runs the pool and its graceful shutdown stops it, unregistering it")
    func serviceGroup() async throws {
        try await withJobHarness(start: false, register: { $0.register("quick") { _ in nil } }) { h in
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
            let pools = try await h.database.read { try $0.queryFirst("SELECT count(*) FROM worker_pools", []) { $0.int(0) } }
            #expect(pools == 0)
        }
    }
}
