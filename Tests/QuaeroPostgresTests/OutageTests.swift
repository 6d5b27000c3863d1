import Foundation
import QuaeroPostgres
import QuaeroPostgresAppSchema
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// A worker process whose PostgreSQL server is away: when it starts, and while it runs.
@Suite("PostgreSQL: the database unreachable at start and mid-run", .enabled(if: hasPostgres), .serialized)
struct OutageTests {
    /// Runs scripts/pg-throwaway `arguments` (FAST=1) to its end. Its output goes to a file of its own and
    /// every other descriptor is closed first: the server it starts inherits what it has open, and Foundation's
    /// `Process` sees its child end only once every copy of a descriptor it gave the child is closed.
    static func throwaway(_ arguments: [String], in directory: URL) async throws {
        let script = scriptsFolder.appendingPathComponent("pg-throwaway").path
        let log = directory.appendingPathComponent("pg-throwaway.log").path
        let run = try Node(URL(fileURLWithPath: "/bin/bash"),
                           ["-c", "for fd in $(ls /proc/$$/fd); do [ $fd -gt 2 ] && eval \"exec $fd>&-\"; done; FAST=1 \"$0\" \"$@\" >>'\(log)' 2>&1 </dev/null", script] + arguments, in: directory)
        try #require(await run.exited(within: .seconds(60)), "pg-throwaway \(arguments) did not end: \(run.output())")
        try #require(run.status == 0, "pg-throwaway \(arguments): \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    /// Creates `count` node_row jobs on the server at `url` (and the rows' table, the first time) and waits until
    /// `total` jobs completed there, each row written once.
    static func run(_ count: Int, expecting total: Int, on url: String, worker: Node) async throws {
        let store = try await PostgresStore.open(url, chains: [PostgresAppSchema.chain])
        try await closing(store) {
            if total == count { try await TestRows.createTable(in: store) }
            try await MultiNodeTests.createJobs(count, type: "node_row", on: store)
            let done = await waitUntil(timeout: .seconds(40), pollEvery: .milliseconds(100)) {
                (try? await MultiNodeTests.tally(store).completed) == total
            }
            let tally = try await MultiNodeTests.tally(store)
            #expect(done, "\(tally); \(worker.output().suffix(2000))")
            #expect(tally.rows == total && tally.distinct == total, "\(tally)")
        }
    }

    @Test("a worker started while its server is down names the server (never the password), runs jobs once it is up, and again after an outage mid-run")
    func outage() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cluster = directory.url.appendingPathComponent("pg").path
        let port = try SilentListener.freePort()
        // The throwaway server trusts local connections: the password is never asked for, only carried.
        let url = "postgres://postgres:not-a-secret-7@127.0.0.1:\(port)/quaero_test"
        let worker = try Node.worker(url, in: directory.url, settings: MultiNodeTests.settings(heartbeat: "200ms"))
        defer { worker.send(SIGKILL) }
        // At start: nothing listens on the port; the worker keeps trying and says why, naming the server.
        #expect(await waitUntil(timeout: .seconds(20)) { worker.output().contains("cannot reach PostgreSQL at 127.0.0.1:\(port)") },
                "\(worker.output().suffix(1500))")
        #expect(worker.isRunning)
        try await Self.throwaway(["start", cluster, "\(port)"], in: directory.url)
        do {
            try await Self.run(20, expecting: 20, on: url, worker: worker)
            // Mid-run: the server goes away; the worker says so (naming it) and keeps running.
            let before = worker.output().count
            try await Self.throwaway(["halt", cluster], in: directory.url)
            #expect(await waitUntil(timeout: .seconds(20)) {
                worker.output().dropFirst(before).contains("127.0.0.1:\(port)")
            }, "\(worker.output().suffix(1500))")
            #expect(worker.isRunning)
            try await Self.throwaway(["resume", cluster], in: directory.url)
            try await Self.run(20, expecting: 40, on: url, worker: worker)
        } catch {
            Issue.record(error)
        }
        await worker.stop()
        #expect(!worker.output().contains("not-a-secret-7"), "\(worker.output().suffix(3000))")
        try await Self.throwaway(["stop", cluster], in: directory.url)
    }
}
