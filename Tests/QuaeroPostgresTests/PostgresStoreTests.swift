import Foundation
import Logging
import QuaeroPostgres
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// What only the PostgreSQL store does: wake-ups across processes, its connect timeout, TLS, vacuum, HOT claims.
@Suite("PostgreSQL store", .enabled(if: hasPostgres))
struct PostgresStoreTests {
    @Test("another process's send wakes this process's consumers at once (LISTEN/NOTIFY)")
    func wakeUpAcrossProcesses() async throws {
        try await withClusterSchema { url, sender in
            let receiver = try await PostgresStore.open(url)
            try await closing(receiver) {
                #expect(await waitUntil { receiver.isListening })
                let wakeups = receiver.signals.subscribe(queue: "q")
                _ = try await Queue(name: "q", store: sender).send(Data("hello"))
                #expect(await firstWakeup(wakeups, within: .seconds(5)))
            }
        }
    }

    @Test("a process notifies at most once per queue per 100 ms, however many messages it sends")
    func notificationsAreRateLimited() async throws {
        try await withClusterSchema { url, store in
            let schema = try await sql(store, "SELECT current_schema()").first!.text(0)
            let listener = try await rawConnection()
            let received = Locked(0)
            try await listener.script("LISTEN quaero_\(schema)")
            let counting = Task {
                while !Task.isCancelled {
                    let count = try await listener.notifications(waitingAtMost: .milliseconds(50)).count
                    received.withLock { $0 += count }
                }
            }
            let queue = try Queue(name: "busy", store: store)
            let start = ContinuousClock.now
            for i in 0..<300 { _ = try await queue.send(Data("\(i)")) }
            let elapsed = ContinuousClock.now - start
            // The last sends are covered by one more notification at the end of their window.
            #expect(await waitUntil(timeout: .seconds(2)) { received.value >= 1 })
            try await Task.sleep(for: .milliseconds(300))  // lets a late notification arrive, so that it is counted
            let windows = Int(elapsed / .milliseconds(100)) + 2
            #expect(received.value <= windows, "\(received.value) notifications for 300 sends in \(elapsed)")
            counting.cancel()
            _ = await counting.result
            await listener.close()
        }
    }

    @Test("the connect timeout holds against a server that accepts and never answers, naming it without the password")
    func connectTimeout() async throws {
        let silent = try SilentListener()
        defer { silent.close() }
        let start = ContinuousClock.now
        let error = await #expect(throws: QuaeroError.self) {
            _ = try await PostgresStore.open("postgres://quaero:hunter2@127.0.0.1:\(silent.port)/db",
                                             options: PostgresStoreOptions(tls: .off, connectTimeout: .milliseconds(400)))
        }
        #expect(ContinuousClock.now - start < .seconds(3))
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("127.0.0.1:\(silent.port)") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("hunter2") == false)
    }

    @Test("a server that cannot be reached is named in the error, and the password is not")
    func refused() async throws {
        let port = try SilentListener.freePort()
        let error = await #expect(throws: QuaeroError.self) {
            _ = try await PostgresStore.open("postgres://quaero:hunter2@127.0.0.1:\(port)/db",
                                             options: PostgresStoreOptions(connectTimeout: .seconds(2)))
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("cannot reach PostgreSQL at 127.0.0.1:\(port)") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("hunter2") == false)
    }

    @Test("tls = require against a server without TLS is refused, saying so")
    func tlsRequired() async throws {
        let error = await #expect(throws: QuaeroError.self) {
            _ = try await PostgresStore.open(try #require(PostgresTestServer.url), options: PostgresStoreOptions(tls: .require))
        }
        #expect(error?.message.contains("does not offer TLS") == true, "\(error?.message ?? "")")
    }

    @Test("a pooled connection killed by the server is replaced; the next operations work")
    func terminatedConnection() async throws {
        try await withClusterSchema { url, store in
            // A store of its own, named so that only its connections are killed (not those of the tests that
            // run at the same time on the same server). Polling only: its pooled connections are what is counted,
            // without a LISTEN connection and a notifier's that would be made again after each kill.
            let name = "quaero_killed_\(UInt32.random(in: 0...UInt32.max))"
            let victim = try await PostgresStore.open(url, options: PostgresStoreOptions(poolSize: 2, pollOnly: true, applicationName: name))
            try await closing(victim) {
                let queue = try Queue(name: "q", store: victim)
                _ = try await queue.send(Data("one"))
                let before = connectionThreadNames()
                #expect(before.count >= 2, "the store's connection threads are named")
                for _ in 0..<5 {
                    _ = try await sql(store, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1::text", [name])
                    // The first statement on a killed connection may fail; the pool then opens another.
                    _ = try? await queue.send(Data("two"))
                    #expect(await waitUntil(timeout: .seconds(10)) { (try? await queue.send(Data("three"))) != nil })
                }
                #expect(try await queue.stats().totals.ready >= 4)
                // A pool's threads are its places' (2 here, the second perhaps made since), and a killed connection's
                // replacement runs on its place's thread: however often connections are killed, they do not pile up
                // (5 kills would add 5). One more is allowed: in whole runs of the suite one more stayed once in 15
                // (5 threads against 3; never when this test runs alone), whose names the failure now prints.
                #expect(await waitUntil(timeout: .seconds(10)) { connectionThreadNames().count <= before.count + 2 },
                        "\(connectionThreadNames()), before \(before)")
            }
        }
    }

    @Test("maintenance vacuums the hot tables")
    func vacuum() async throws {
        try await withClusterSchema { _, store in
            #expect(store.maintenanceInterval == .seconds(5))
            try await store.maintain()
            let vacuumed = try await count(store, """
                SELECT count(*) FROM pg_stat_user_tables
                WHERE schemaname = current_schema() AND relname IN ('messages', 'worker_pools', 'leader_leases') AND last_vacuum IS NOT NULL
                """)
            #expect(vacuumed == 3)
        }
    }

    @Test("a claim is a HOT update: no index entry is written for a lease")
    func hotClaims() async throws {
        try await withClusterSchema { _, store in
            let queue = try Queue(name: "hot", store: store)
            _ = try await queue.send(batch: (0..<200).map { OutgoingMessage(body: Data("\($0)")) })
            // 20 leases of the first page's rows: their new versions fit in the room its fillfactor (70) leaves,
            // so every one is HOT without waiting for page pruning, which any long transaction of another test
            // on the same server would hold back (the xmin horizon).
            for _ in 0..<4 { _ = try await queue.receive(limit: 5) }
            // The statistics reach the shared counters when a backend goes idle, at most every second, or up to
            // 10 s later when it went idle within that second (PostgreSQL 15, PGSTAT_IDLE_INTERVAL).
            var counts: (updated: Int, hot: Int) = (0, 0)
            #expect(await waitUntil(timeout: .seconds(15), pollEvery: .milliseconds(200)) {
                guard let row = try? await sql(store, """
                    SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = 'messages'
                    """).first else { return false }
                counts = ((try? row.int(0)) ?? 0, (try? row.int(1)) ?? 0)
                return counts.updated >= 20 || counts.hot < counts.updated
            })
            #expect(counts.hot == counts.updated && counts.updated >= 20, "\(counts)")
        }
    }

    @Test("the claim walks the receive index (EXPLAIN)")
    func claimPlan() async throws {
        try await withClusterSchema { _, store in
            _ = try await Queue(name: "plan", store: store).send(batch: (0..<2000).map { OutgoingMessage(body: Data("\($0)")) })
            _ = try await sql(store, "ANALYZE messages")
            // Every message is visible (a time far ahead), as in a backlog: the planner must not sort them all.
            let plan = try await sql(store, """
                EXPLAIN SELECT id FROM messages
                WHERE queue = 'plan' AND dead_at IS NULL AND visible_at <= 9000000000000000
                  AND (leased_until IS NULL OR leased_until <= 9000000000000000)
                ORDER BY priority DESC, visible_at, id LIMIT 10 FOR UPDATE SKIP LOCKED
                """).map { try $0.text(0) }.joined(separator: "\n")
            #expect(plan.contains("Index Scan using messages_receive"), "\(plan)")
            #expect(!plan.contains("Sort"), "\(plan)")
        }
    }

    @Test("claims without filters keep their generic plans (one message, 10, and 12 as 10 + 2), and a batch's acks are one statement")
    func singleClaimKeepsItsPlan() async throws {
        try await withPostgresSchema { url in
            // One connection: pg_prepared_statements is the session's own, so the claims ran where it is read.
            let store = try await PostgresStore.open(url, options: PostgresStoreOptions(poolSize: 1))
            try await closing(store) {
                let queue = try Queue(name: "plan", store: store)
                _ = try await queue.send(batch: (0..<14).map { OutgoingMessage(body: Data("\($0)".utf8)) })
                for _ in 0..<12 {
                    let message = try #require(try await queue.receive().first)
                    try await queue.delete(message.receipt)
                }
                let plans = try await sql(store, """
                    SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%$3::bigint = 1 AND%'
                    """)
                let row = try #require(plans.first)
                let (generic, custom) = (try row.int64(0), try row.int64(1))
                // PostgreSQL plans the first five runs for their values, then keeps the generic plan when it costs
                // no more; a statement with `LIMIT $3` is planned at every run (the reason for this one).
                #expect(generic >= 6 && custom <= 6, "generic \(generic), custom \(custom)")

                // Claims of 10: one fixed claim of 10; claims of 12: one of 10, then one of 2, each keeping its plan.
                _ = try await queue.send(batch: (0..<176).map { OutgoingMessage(body: Data("\($0)".utf8)) })
                for size in [10, 12] {
                    for _ in 0..<8 {
                        let batch = try await queue.receive(limit: size)
                        #expect(batch.count == size)
                        #expect(try await store.delete(batch.map(\.receipt)).count == size)
                    }
                }
                for size in [10, 2] {
                    let row = try #require(try await sql(store, """
                        SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%$3::bigint = \(size) AND%'
                        """).first)
                    let (generic, custom) = (try row.int64(0), try row.int64(1))
                    #expect(generic >= 3 && custom <= 5, "the claim of \(size): generic \(generic), custom \(custom)")
                }

                let two = try await queue.receive(limit: 2)
                #expect(two.count == 2)
                let acked = try await store.delete(two.map(\.receipt) + [Receipt(messageID: two[0].id, lease: two[0].receipt.lease &+ 1)])
                #expect(acked == Set(two.map(\.receipt)), "a receipt of no current delivery is not acked")
                #expect(try await queue.stats().totals == QueueStats.Counts())
            }
        }
    }

    @Test("a worker pool's claim leaves remote workers' types out in its own statement and keeps its generic plan")
    func poolClaimLeavesRemoteTypesOnItsPlan() async throws {
        try await withPostgresSchema { url in
            let store = try await PostgresStore.open(url, options: PostgresStoreOptions(poolSize: 1))
            try await closing(store) {
                let queue = try Queue(name: "plan", store: store)
                _ = try await queue.send(batch: (0..<12).map { _ in OutgoingMessage(body: Data(), type: "mine") })
                _ = try await queue.send(batch: (0..<3).map { _ in OutgoingMessage(body: Data(), type: "theirs") }
                                                + (0..<3).map { _ in OutgoingMessage(body: Data(), type: "declared") })
                try await store.write { tx in try await tx.announceWorker(name: "remote", types: ["theirs"], liveFor: .seconds(60)) }
                let leaving = RemoteTypePolicy(handled: ["mine"], declared: ["declared"])
                var types: [String?] = []
                for _ in 0..<14 {
                    let batch = try await store.write { tx in
                        try await tx.claim(ReceiveRequest(queue: "plan", limit: 1, visibility: .seconds(60), maxReceive: 5, leaving: leaving))
                    }
                    types += batch.claimed.map(\.message.type)
                }
                #expect(types == Array(repeating: "mine", count: 12), "only the pool's own type: \(types)")
                let row = try #require(try await sql(store, """
                    SELECT generic_plans, custom_plans FROM pg_prepared_statements
                    WHERE statement LIKE '%$3::bigint = 1 AND%' AND statement LIKE '%remote_workers%'
                    """).first)
                let (generic, custom) = (try row.int64(0), try row.int64(1))
                #expect(generic >= 6 && custom <= 6, "generic \(generic), custom \(custom)")
                // Once the pool has a handler for a remote worker's type, it claims it.
                let mine = try await store.write { tx in
                    try await tx.claim(ReceiveRequest(queue: "plan", limit: 10, visibility: .seconds(60), maxReceive: 5,
                                                      leaving: RemoteTypePolicy(handled: ["mine", "theirs"], declared: ["declared"])))
                }
                #expect(mine.claimed.map(\.message.type) == ["theirs", "theirs", "theirs"])
            }
        }
    }

    /// The names of this process's PostgreSQL connection threads (named `quaero-pg-N` by the store), sorted.
    func connectionThreadNames() -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { task in
            let name = ((try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            return name.hasPrefix("quaero-pg") ? name : nil
        }.sorted()
    }

    /// A connection of the test's own to the test server.
    func rawConnection() async throws -> PostgresConnection {
        try await PostgresConnection.open(try #require(PostgresTestServer.url), options: PostgresStoreOptions(tls: .off))
    }
}

/// A TCP port on 127.0.0.1 that accepts connections (into the kernel's backlog) and never answers.
final class SilentListener: Sendable {
    let port: Int
    private let socket: Int32

    init() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.socket = socket
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(socket, 16) == 0, "could not listen")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(socket) }

    /// A port nothing listens on (bound, then closed).
    static func freePort() throws -> Int {
        let listener = try SilentListener()
        listener.close()
        return listener.port
    }
}
