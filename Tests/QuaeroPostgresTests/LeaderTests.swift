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
                let a = try LeaderElection(store: store, ttl: .milliseconds(600))
                let b = try LeaderElection(store: other, ttl: .milliseconds(600))
                let runA = Task { try await a.run() }
                let runB = Task { try await b.run() }
                #expect(await waitUntil { a.isLeader != b.isLeader })
                let (leader, follower, leaderTask) = a.isLeader ? (a, b, runA) : (b, a, runB)
                // Several renewals later, still one.
                try await Task.sleep(for: .milliseconds(700))
                #expect(leader.isLeader && !follower.isLeader)
                leaderTask.cancel()
                _ = try? await leaderTask.value
                #expect(await waitUntil(timeout: .milliseconds(400), pollEvery: .milliseconds(5)) { follower.isLeader })
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
            #expect(ContinuousClock.now - lostAt < .milliseconds(900 + 300 + 200))
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
