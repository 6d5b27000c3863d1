import Foundation
@testable import QuaeroPostgres
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// Tasks next to a connection (`affinityExecutors`), and the plans the store's sessions make.
@Suite("PostgreSQL: tasks next to a connection, and the sessions' plans", .enabled(if: hasPostgres))
struct ConnectionAffinityTests {
    @Test("a task on a place's executor runs its operations on that place's connection, without leaving its thread")
    func operationsStayOnTheirThread() async throws {
        try await withPostgresSchema { url in
            // With notifications on: the notifier's NOTIFY after each send has a connection of its own, so that
            // it never borrows the place's (the task's next operation was then lent another).
            let store = try await PostgresStore.open(url, options: PostgresStoreOptions(poolSize: 3))
            try await closing(store) {
                let executors = store.affinityExecutors(5)
                #expect(executors.count == 3, "one per place of the pool, at most")
                let queue = try Queue(name: "near", store: store)
                /// The backend of each operation and whether the task was on the same thread before and after each.
                @Sendable func run(on executor: any TaskExecutor) async throws -> (backends: Set<Int>, stayed: Bool) {
                    try await Task(executorPreference: executor) {
                        var backends: Set<Int> = []
                        var stayed = true
                        for round in 0..<5 {
                            let thread = pthread_self()
                            _ = try await queue.send(Data("\(round)".utf8))
                            let message = try #require(try await queue.receive().first)
                            try await queue.delete(message.receipt)
                            backends.insert(try await count(store, "SELECT pg_backend_pid()"))
                            stayed = stayed && pthread_equal(thread, pthread_self()) != 0
                        }
                        return (backends, stayed)
                    }.value
                }
                let first = try await run(on: executors[0])
                let second = try await run(on: executors[1])
                #expect(first.stayed && second.stayed, "the operations ran on the caller's thread")
                #expect(first.backends.count == 1 && second.backends.count == 1, "each task kept its place's connection: \(first), \(second)")
                #expect(first.backends != second.backends, "two places, two connections")
                // A task anywhere else is lent a free connection as before.
                _ = try await queue.send(Data("elsewhere".utf8))
                #expect(try await queue.stats().totals.ready == 1)
            }
        }
    }

    @Test("a notification goes out on the notifier's own connection while every pooled connection is in use")
    func notificationsNeedNoPooledConnection() async throws {
        try await withPostgresSchema { url in
            let sender = try await PostgresStore.open(url, options: PostgresStoreOptions(poolSize: 1))
            try await closing(sender) {
                let receiver = try await PostgresStore.open(url)
                try await closing(receiver) {
                    #expect(await waitUntil { receiver.isListening })
                    let wakeups = receiver.signals.subscribe(queue: "q")
                    // The sender's one pooled connection stays in this transaction until the receiver is woken or
                    // 5 s passed: a notifier that needed a pooled connection would wait for it that long.
                    let woken = try await sender.write { _ in
                        sender.core.notifier.request("q")
                        return await firstWakeup(wakeups, within: .seconds(5))
                    }
                    #expect(woken)
                }
            }
        }
    }

    @Test("tasks on one place's executor share its connection with everyone else: nothing is lost")
    func sharedPlace() async throws {
        try await withPostgresSchema { url in
            let store = try await PostgresStore.open(url, options: PostgresStoreOptions(poolSize: 2))
            try await closing(store) {
                let near = try #require(store.affinityExecutors(1).first)
                let queue = try Queue(name: "shared", store: store)
                // Eight senders on the one place's thread and eight on the global executor, over two connections:
                // when the place's connection is taken, an operation goes to the other one, or waits its turn.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for sender in 0..<16 {
                        group.addTask(executorPreference: sender < 8 ? near : nil) {
                            for n in 0..<25 { _ = try await queue.send(Data("\(sender)-\(n)".utf8)) }
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(try await queue.stats().totals.ready == 400)
            }
        }
    }

    @Test("the store's sessions plan an ack by id on the primary key, even right after the empty table was vacuumed")
    func acksUseThePrimaryKey() async throws {
        try await withClusterSchema { url, _ in
            /// The generic plan of `QueueSQL.DeleteOne` (the only one the store's sessions make) on a session of `url`.
            func ackPlan(_ url: String) async throws -> String {
                let connection = try await PostgresConnection.open(url)
                do {
                    // An empty table's VACUUM records 0 pages: the planner then takes the table for empty.
                    try await connection.script("VACUUM ANALYZE messages")
                    try await connection.script("PREPARE ack (bigint, bigint) AS \(QueueSQL.DeleteOne.sql)")
                    let plan = try await connection.query("EXPLAIN EXECUTE ack(1, 2)").map { try $0.text(0) }.joined(separator: "\n")
                    await connection.close()
                    return plan
                } catch {
                    await connection.close()
                    throw error
                }
            }
            let plan = try await ackPlan(url)
            #expect(plan.contains("messages_pkey") && !plan.contains("Seq Scan"), "\(plan)")
            // The negative control: with sequential scans allowed (the URL's setting wins over the store's), the
            // same statement's generic plan scans the heap, every page of it at every ack.
            let allowed = url + (url.contains("?") ? "&" : "?") + "options=-c%20enable_seqscan%3Don"
            let scanning = try await ackPlan(allowed)
            #expect(scanning.contains("Seq Scan on messages"), "\(scanning)")
        }
    }

    @Test("the store's sessions plan a prepared statement once, not for each execution's values")
    func oneGenericPlan() async throws {
        try await withPostgresSchema { url in
            /// The custom and generic plans made for the store's `DeleteOne` over 8 acks on one connection.
            func plans(_ url: String) async throws -> (custom: Int, generic: Int) {
                let store = try await PostgresStore.open(url, options: PostgresStoreOptions(poolSize: 1))
                return try await closing(store) {
                    let queue = try Queue(name: "plans", store: store)
                    for n in 0..<8 {
                        _ = try await queue.send(Data("\(n)".utf8))
                        let message = try #require(try await queue.receive().first)
                        try await queue.delete(message.receipt)
                    }
                    let row = try #require(try await sql(store, """
                        SELECT coalesce(sum(custom_plans), 0)::bigint, coalesce(sum(generic_plans), 0)::bigint
                        FROM pg_prepared_statements WHERE statement = $1::text
                        """, [QueueSQL.DeleteOne.sql]).first)
                    return (try row.int(0), try row.int(1))
                }
            }
            let store = try await plans(url)
            #expect(store.custom == 0 && store.generic == 8, "\(store)")
            // The negative control: PostgreSQL's default plans the first five executions for their values.
            let automatic = try await plans(url + (url.contains("?") ? "&" : "?") + "options=-c%20plan_cache_mode%3Dauto")
            #expect(automatic.custom == 5 && automatic.generic == 3, "\(automatic)")
        }
    }

    @Test("a receive without a limit in sight skips the flow-control judgement; a limited message brings it back, and its limit holds")
    func unjudgedReceives() async throws {
        try await withPostgresSchema { url in
            let store = try await PostgresStore.open(url, options: PostgresStoreOptions(poolSize: 1, pollOnly: true))
            try await closing(store) {
                let queue = try Queue(name: "judge", store: store)
                /// Executions of the claim statements on the store's one connection, with and without the judgement.
                func executions() async throws -> (unjudged: Int, judging: Int) {
                    let row = try #require(try await sql(store, """
                        SELECT coalesce(sum(generic_plans) FILTER (WHERE statement NOT LIKE '%ranked AS%'), 0)::bigint,
                               coalesce(sum(generic_plans) FILTER (WHERE statement LIKE '%ranked AS%'), 0)::bigint
                        FROM pg_prepared_statements WHERE statement LIKE 'WITH candidates AS%'
                        """).first)
                    return (try row.int(0), try row.int(1))
                }
                _ = try await queue.send(Data("free".utf8))
                #expect(try await queue.receive().map { String(decoding: $0.body, as: UTF8.self) } == ["free"])
                var runs = try await executions()
                #expect(runs.unjudged == 1 && runs.judging == 0, "\(runs)")

                // Two messages of one key limited to one in flight: the statement without the judgement sees a limit
                // and claims nothing, the judging one claims the first only.
                let limits = MessageLimits(key: "k", maxInFlight: 1)
                _ = try await store.write { tx in
                    try await tx.send(["a", "b"].map { NewMessage(OutgoingMessage(body: Data($0.utf8)), limits: limits) }, queue: "judge")
                }
                let first = try await queue.receive(limit: 2)
                #expect(first.map { String(decoding: $0.body, as: UTF8.self) } == ["a"])
                runs = try await executions()
                #expect(runs.unjudged == 2 && runs.judging >= 1, "\(runs)")
                // The limit was seen: the next receives judge at once, and the key stays at one in flight.
                #expect(try await queue.receive(limit: 2).isEmpty)
                let later = try await executions()
                #expect(later.unjudged == 2 && later.judging > runs.judging, "\(later)")
                try await queue.delete(try #require(first.first).receipt)
                #expect(try await queue.receive(limit: 2).map { String(decoding: $0.body, as: UTF8.self) } == ["b"])
            }
        }
    }
}
