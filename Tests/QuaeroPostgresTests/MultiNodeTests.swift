import Foundation
import QuaeroPostgres
import QuaeroPostgresAppSchema
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// Several worker processes on one PostgreSQL database: nothing lost, nothing run twice.
@Suite("PostgreSQL: several worker processes on one database", .enabled(if: hasPostgres), .serialized)
struct MultiNodeTests {
    /// The `[queue]` settings of the workers: short heartbeats, so that a dead one is found fast.
    static func settings(concurrency: Int = 8, heartbeat: String = "200ms", visibility: String = "30s") -> String {
        """
        [queue]
        concurrency = \(concurrency)
        poll_interval = "200ms"
        heartbeat_interval = "\(heartbeat)"
        visibility_timeout = "\(visibility)"
        backoff_base = "100ms"
        max_receive = 10
        [cleanup]
        interval = "1h"
        """
    }

    /// Creates `count` jobs of `type` (500 a transaction, 4 transactions at once: each job is two statements,
    /// and one transaction at a time took 70 s for 20,000 here, longer than the workers took to run them).
    static func createJobs(_ count: Int, type: JobType, config: [String: JSONValue] = [:], on store: PostgresStore) async throws {
        let manager = JobManager(queue: try Queue(name: "quaero_jobs", store: store))
        let batches = stride(from: 0, to: count, by: 500).map { min(500, count - $0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, n) in batches.enumerated() {
                if index >= 4 { try await group.next() }
                group.addTask { try await manager.createJobs((0..<n).map { _ in JobSpec(type: type, config: config) }) }
            }
            try await group.waitForAll()
        }
    }

    /// Rows of the table, distinct jobs among them, completed jobs, and jobs started more than once.
    static func tally(_ store: PostgresStore) async throws -> (rows: Int, distinct: Int, completed: Int, rerun: Int) {
        let row = try #require(try await sql(store, """
            SELECT (SELECT count(*) FROM app_rows), (SELECT count(DISTINCT split_part(name, ' ', 1)) FROM app_rows),
                   (SELECT count(*) FROM jobs WHERE status = 'completed'), (SELECT count(*) FROM jobs WHERE attempts > 1)
            """).first)
        return (try row.int(0), try row.int(1), try row.int(2), try row.int(3))
    }

    @Test("4 worker processes run 20,000 jobs, each once: 0 lost, 0 duplicate rows, none started twice")
    func fourProcesses() async throws {
        try await withClusterSchema { url, store in
            try await TestRows.createTable(in: store)
            try await Self.createJobs(20_000, type: "node_row", on: store)
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            // Heartbeats of 1 s: four processes on two cores can miss 600 ms (3 beats of 200 ms) under this load,
            // and a pool found dead has its jobs run again, as designed; here, no pool dies.
            let nodes = try (0..<4).map { _ in try Node.worker(url, in: directory.url, settings: Self.settings(heartbeat: "1s")) }
            let done = await waitUntil(timeout: .seconds(180), pollEvery: .milliseconds(200)) {
                (try? await Self.tally(store).completed) == 20_000
            }
            for node in nodes { await node.stop() }
            let tally = try await Self.tally(store)
            #expect(done, "\(tally); \(nodes.map { $0.output().suffix(500) })")
            #expect(tally.rows == 20_000)
            #expect(tally.distinct == 20_000)
            #expect(tally.rerun == 0)
            #expect(try await count(store, "SELECT count(*) FROM messages") == 0)
            // Every process did some of the work.
            let pids = try await sql(store, "SELECT DISTINCT split_part(name, ' ', 2) FROM app_rows").count
            #expect(pids == 4)
        }
    }

    @Test("negative control: without SKIP LOCKED (goqite's flavour), concurrent claims hand the same jobs to several workers")
    func withoutSkipLocked() async throws {
        try await withPostgresSchema { url in
            let setup = try await PostgresStore.open(url, chains: [PostgresAppSchema.chain])
            try await TestRows.createTable(in: setup)
            try await Self.createJobs(2_000, type: "node_row", on: setup)
            let runs = Locked<[String]>([])
            var pools: [(PostgresStore, WorkerPool)] = []
            for _ in 0..<4 {
                let store = try await PostgresStore.open(url, options: PostgresStoreOptions(claimLocking: .unlocked))
                let pool = try WorkerPool(manager: JobManager(queue: try Queue(name: "quaero_jobs", store: store)),
                                          options: WorkerPoolOptions(concurrency: 4, pollInterval: .milliseconds(50)))
                pool.register("node_row") { context in
                    runs.withLock { $0.append(context.job.id) }
                    let name = context.job.id
                    context.onSuccess { tx in
                        try await TestRows.insert(name, in: tx)
                        return nil
                    }
                    return nil
                }
                try await pool.start()
                pools.append((store, pool))
            }
            // Until some job has run twice (without SKIP LOCKED, the claims race for the same rows, and a run to
            // the end can take minutes): then the point is made.
            let ranTwice = await waitUntil(timeout: .seconds(60), pollEvery: .milliseconds(100)) {
                guard runs.value.count > Set(runs.value).count else { return false }
                return (try? await Self.tally(setup).rerun) ?? 0 > 0
            }
            for (store, pool) in pools {
                await pool.stop()
                await store.close()
            }
            let tally = try await Self.tally(setup)
            await setup.close()
            // What the real claim prevents: the same job delivered to two workers at once (and run twice).
            #expect(ranTwice, "handlers ran \(runs.value.count) times for \(Set(runs.value).count) jobs")
            #expect(tally.rerun > 0)
            // Fencing still keeps the side effects once each: the displaced worker's ack is refused.
            #expect(tally.rows == tally.distinct)
        }
    }

    @Test("pg_terminate_backend of a worker's connections during its acks, three times: no job lost, none written twice; it reconnects and goes on")
    func terminatedConnections() async throws {
        try await withClusterSchema { url, store in
            try await TestRows.createTable(in: store)
            try await Self.createJobs(3_000, type: "node_row", on: store)
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            // Its connections (pool and listener) carry a name of their own, so that only they are killed. A
            // short visibility: a job whose ack was cut off with its connection runs again after it.
            let name = "quaero_node_\(UInt32.random(in: 0...UInt32.max))"
            let worker = try Node.worker(url + (url.contains("?") ? "&" : "?") + "application_name=\(name)", in: directory.url,
                                         settings: Self.settings(heartbeat: "1s", visibility: "3s"))
            var killed = 0
            for round in 1...3 {
                // Mid-run: acks are under way (the worker completed more jobs since the last kill).
                let before = try await Self.tally(store).completed
                #expect(await waitUntil(timeout: .seconds(60), pollEvery: .milliseconds(20)) {
                    (try? await Self.tally(store).completed) ?? 0 > before + 200
                }, "round \(round): \(worker.output().suffix(1500))")
                killed += try await count(store, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '\(name)'")
            }
            #expect(killed >= 3)
            let done = await waitUntil(timeout: .seconds(90), pollEvery: .milliseconds(200)) {
                (try? await Self.tally(store).completed) == 3_000
            }
            let tally = try await Self.tally(store)
            #expect(done, "\(tally); \(worker.output().suffix(2000))")
            #expect(worker.isRunning)
            await worker.stop()
            #expect(tally.rows == 3_000)
            #expect(tally.distinct == 3_000)
            #expect(try await count(store, "SELECT count(*) FROM messages") == 0)
        }
    }

    @Test("kill -9 of a worker mid-run: another resumes its jobs within 3 heartbeats; none lost")
    func killedWorker() async throws {
        try await withClusterSchema { url, store in
            try await TestRows.createTable(in: store)
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            // Long visibility: only the reaping of the dead pool (3 missed heartbeats) can free its jobs.
            let settings = Self.settings(concurrency: 4, heartbeat: "200ms", visibility: "5m")
            let victim = try Node.worker(url, in: directory.url, settings: settings)
            try await Self.createJobs(8, type: "node_sleep", config: ["ms": .number(1500)], on: store)
            // The victim holds 4 jobs.
            #expect(await waitUntil(timeout: .seconds(20)) {
                (try? await count(store, "SELECT count(*) FROM messages WHERE leased_until IS NOT NULL")) == 4
            })
            let survivor = try Node.worker(url, in: directory.url, settings: settings)
            let held = try await sql(store, "SELECT id FROM messages WHERE leased_until IS NOT NULL").map { try $0.int64(0) }
            victim.send(SIGKILL)
            _ = await victim.exited()
            let killedAt = ContinuousClock.now
            // Its four jobs are released for the survivor within 3 heartbeats (and the survivor's next beat): each
            // is back with the reason, or already run by the survivor (deleted).
            let resumed = await waitUntil(timeout: .seconds(10), pollEvery: .milliseconds(20)) {
                let gone = try? await sql(store, """
                    SELECT count(*) FROM messages WHERE id = ANY($1::bigint[]) AND coalesce(last_error, '') NOT LIKE 'its worker pool died%'
                    """, [held])
                return (try? gone?.first?.int(0)) == 0
            }
            let waited = ContinuousClock.now - killedAt
            #expect(resumed, "\(survivor.output().suffix(800))")
            #expect(waited < .milliseconds(4 * 200 + 700), "resumed after \(waited)")
            #expect(await waitUntil(timeout: .seconds(30)) { (try? await Self.tally(store).completed) == 8 })
            await survivor.stop()
            let tally = try await Self.tally(store)
            #expect(tally.rows == 8)
            #expect(tally.distinct == 8)
        }
    }

    @Test("SIGSTOP past the lease, SIGCONT: the stopped worker's ack is refused and its row does not commit")
    func stoppedWorker() async throws {
        try await withClusterSchema { url, store in
            try await TestRows.createTable(in: store)
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let stopped = try Node.worker(url, in: directory.url, settings: Self.settings(concurrency: 1, heartbeat: "200ms", visibility: "1s"))
            try await Self.createJobs(1, type: "node_sleep", config: ["ms": .number(1500)], on: store)
            #expect(await waitUntil(timeout: .seconds(20)) {
                (try? await count(store, "SELECT count(*) FROM messages WHERE leased_until IS NOT NULL")) == 1
            })
            stopped.send(SIGSTOP)
            let other = try Node.worker(url, in: directory.url, settings: Self.settings(concurrency: 1, heartbeat: "200ms", visibility: "1s"))
            // The other worker takes the job over and completes it (its row commits with its ack).
            #expect(await waitUntil(timeout: .seconds(30)) { (try? await Self.tally(store).completed) == 1 })
            stopped.send(SIGCONT)
            // The stopped worker's handler ends; its ack finds its lease lost, and it says so.
            #expect(await waitUntil(timeout: .seconds(20)) { stopped.output().contains("lease was lost") },
                    "\(stopped.output().suffix(1500))")
            await stopped.stop()
            await other.stop()
            let rows = try await sql(store, "SELECT name FROM app_rows").map { try $0.text(0) }
            #expect(rows.count == 1)
            #expect(rows.first?.hasSuffix(" \(other.pid)") == true, "\(rows)")
        }
    }
}
