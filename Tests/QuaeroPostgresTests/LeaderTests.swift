import Foundation
import QuaeroPostgres
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// One leader among processes, on PostgreSQL (the election itself is the engine's; the lease row is the store's).
@Suite("PostgreSQL: leader election", .enabled(if: hasPostgres))
struct LeaderTests {
    @Test("of several candidates exactly one leads; when it stops, another takes over at once (it resigned)")
    func oneLeader() async throws {
        try await withClusterSchema { url, store in
            let other = try await PostgresStore.open(url)
            try await closing(other) {
                // Renewed every 500 ms: a lead outlives a stall of the machine of up to a second.
                let a = try LeaderElection(store: store, ttl: .milliseconds(1500))
                let b = try LeaderElection(store: other, ttl: .milliseconds(1500))
                let runA = Task { try await a.run() }
                let runB = Task { try await b.run() }
                #expect(await waitUntil { a.isLeader != b.isLeader })
                let (leader, follower, leaderTask) = a.isLeader ? (a, b, runA) : (b, a, runB)
                // Several renewals later, still one.
                try await Task.sleep(for: .milliseconds(1600))
                #expect(leader.isLeader && !follower.isLeader)
                leaderTask.cancel()
                _ = try? await leaderTask.value
                // The follower tries again within a third of the time to live; the lead it waited for, renewed at
                // most a third of it ago, would have lasted 1 s more: taking over sooner is the resignation's doing.
                #expect(await waitUntil(timeout: .milliseconds(900), pollEvery: .milliseconds(5)) { follower.isLeader })
                runA.cancel()
                runB.cancel()
                _ = try? await runA.value
                _ = try? await runB.value
            }
        }
    }

    @Test("a leader that stops renewing (its database gone) is replaced within its time to live; duties run only while leading")
    func deadLeader() async throws {
        try await withClusterSchema { url, store in
            let doomed = try await PostgresStore.open(url)
            let ticks = Locked<[String]>([])
            let a = try LeaderElection(store: doomed, ttl: .milliseconds(900))
            let b = try LeaderElection(store: store, ttl: .milliseconds(900))
            a.addDuty("tick", every: .milliseconds(50)) { ticks.withLock { $0.append("a") } }
            b.addDuty("tick", every: .milliseconds(50)) { ticks.withLock { $0.append("b") } }
            #expect(try await a.claimOnce())
            let runA = Task { try await a.run() }
            let runB = Task { try await b.run() }
            #expect(await waitUntil { ticks.value.contains("a") })
            #expect(!ticks.value.contains("b"))
            // The leader's store closes: it can no longer renew (as when its process hangs or loses the network).
            await doomed.close()
            let lostAt = ContinuousClock.now
            #expect(await waitUntil(timeout: .seconds(3), pollEvery: .milliseconds(5)) { b.isLeader })
            // Within its time to live and the follower's next try (a third of it), with room for a slow machine.
            #expect(ContinuousClock.now - lostAt < .milliseconds(900 + 300 + 500))
            #expect(!a.isLeader)
            // From the takeover on, only b's duty runs.
            let cut = ticks.value.count
            #expect(await waitUntil { ticks.value.count > cut + 3 })
            #expect(ticks.value.dropFirst(cut + 1).allSatisfy { $0 == "b" })
            runA.cancel()
            runB.cancel()
            _ = try? await runA.value
            _ = try? await runB.value
        }
    }
}

/// The leader of real worker processes killed: the cluster-wide work (here the cleanup schedule) moves on.
@Suite("PostgreSQL: the leader process killed", .enabled(if: hasPostgres))
struct LeaderProcessTests {
    /// The leader's lease (`[queue] leader_ttl`) and the cleanup schedule's interval of the workers.
    static let ttl = Duration.seconds(2)
    static let interval: Int64 = 1000

    @Test("kill -9 of the leader of 3 worker processes: another takes over within leader_ttl; the cleanup schedule fires once per interval across them, before and after, missing only what catch_up = latest skips while none leads")
    func leaderKilled() async throws {
        try await withClusterSchema { url, store in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let settings = """
                [queue]
                poll_interval = "200ms"
                heartbeat_interval = "200ms"
                leader_ttl = "\(Self.ttl.components.seconds)s"
                [cleanup]
                interval = "1s"
                """
            let nodes = try (0..<3).map { _ in try Node.worker(url, in: directory.url, settings: settings) }
            var stopped = false
            defer { if !stopped { for node in nodes { node.send(SIGKILL) } } }
            let logs = { nodes.map { "\($0.pid): \($0.output().suffix(1500))" }.joined(separator: "\n") }

            // One lease for all the cluster-wide work, held by one of the workers; the cleanup fires under it.
            #expect(await waitUntil(timeout: .seconds(20), pollEvery: .milliseconds(50)) {
                (try? await Self.fires(store).count) ?? 0 >= 3
            }, "\(logs())")
            let lease = try #require(try await Self.lease(store), "\(logs())")
            #expect(try await count(store, "SELECT count(*) FROM leader_leases") == 1, "no lease but the leader's")
            let leader = try #require(nodes.first { $0.pid == lease.pid }, "the leader \(lease) is one of the workers: \(logs())")

            leader.send(SIGKILL)
            #expect(await leader.exited())
            let killedAt = try await count(store, "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint")
            // The dead leader's lease lapses by itself, at most leader_ttl after its last renewal.
            let lapsing = try #require(try await Self.lease(store))
            #expect(lapsing.pid == leader.pid)
            #expect(lapsing.expiresAt <= Int64(killedAt) + Self.ttl.milliseconds)

            var successor: (pid: Int32, acquiredAt: Int64, expiresAt: Int64)?
            #expect(await waitUntil(timeout: Self.ttl + .seconds(5), pollEvery: .milliseconds(20)) {
                successor = try? await Self.lease(store)
                return successor.map { $0.pid != leader.pid } ?? false
            }, "\(logs())")
            let next = try #require(successor)
            #expect(nodes.contains { $0.pid == next.pid && $0.isRunning }, "a live worker leads: \(next)")
            // A standby tries at the lapse, not at its next renewal tick.
            #expect(next.acquiredAt - lapsing.expiresAt < 500, "taken \(next.acquiredAt - lapsing.expiresAt) ms after the lapse")
            #expect(next.acquiredAt - Int64(killedAt) <= Self.ttl.milliseconds + 500,
                    "taken over \(next.acquiredAt - Int64(killedAt)) ms after the kill")

            // The new leader fires: the time missed last (below), then two more on schedule.
            #expect(await waitUntil(timeout: .seconds(10), pollEvery: .milliseconds(50)) {
                (try? await Self.fires(store).filter { $0 > next.acquiredAt }.count) ?? 0 >= 2
            }, "\(logs())")
            for node in nodes where node.pid != leader.pid { await node.stop() }
            stopped = true

            let fires = try await Self.fires(store)
            #expect(Set(fires).count == fires.count, "no fire time twice: \(fires)")
            #expect(fires.allSatisfy { $0 % Self.interval == 0 }, "@every 1s fires on whole seconds: \(fires)")
            #expect(fires.filter { $0 <= Int64(killedAt) }.count >= 3, "\(fires)")
            // Every fire time between the first and the last has its job, except those that passed while no
            // process led, of which catch_up = latest fires the last at the takeover.
            let missed = stride(from: fires.first!, through: fires.last!, by: Int(Self.interval)).filter { !fires.contains($0) }
            let leaderless = (Int64(killedAt) - Self.interval - 200)...(next.acquiredAt + 200)
            #expect(missed.allSatisfy { leaderless.contains($0) }, "missed \(missed) outside \(leaderless): \(fires)")
            #expect(fires.contains { $0 > next.acquiredAt - Self.interval && $0 <= next.acquiredAt + 200 },
                    "the latest time missed fired at the takeover (\(next.acquiredAt)): \(fires)")
        }
    }

    /// The fire times (ms) of the cleanup jobs, oldest first, one per job.
    static func fires(_ store: PostgresStore) async throws -> [Int64] {
        try await sql(store, """
            SELECT (extract(epoch FROM (fields::json->>'scheduled_at')::timestamptz) * 1000)::bigint FROM jobs
            WHERE type = 'cleanup' ORDER BY 1
            """).map { try $0.int64(0) }
    }

    /// The leader's lease: the process id in its holder, when taken and until when.
    static func lease(_ store: PostgresStore) async throws -> (pid: Int32, acquiredAt: Int64, expiresAt: Int64)? {
        guard let lease = try await store.read({ try await $0.leaderLease(LeaderElection.defaultName) }) else { return nil }
        // The holder is host:pid:random (Leadership.newHolderID).
        let parts = lease.holder.split(separator: ":")
        guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]) else { return nil }
        return (pid, lease.acquiredAt, lease.expiresAt)
    }
}
