import Foundation
@testable import QuaeroQueue
@testable import QuaeroSQLite
import QuaeroTestSupport
import Testing

/// The query plans of the SQLite store: every hot statement is served by an index, none scans a table or
/// sorts. (`releaseOwned` scans the messages on purpose: it runs only when a pool died or stops, and an index
/// on `owner` would cost every delivery a page write; `endedBefore` is
/// not hot, nor is the listing of remote workers.)
@Suite("SQLite store: query plans")
struct QueryPlanTests {
    static let queue: [(String, SQLStatement)] = [
        ("send", QueueSQL.send), ("send with key", QueueSQL.sendWithKey), ("dedup lookup", QueueSQL.findByKey),
        ("receive candidates", QueueSQL.candidates), ("receive candidates of types", QueueSQL.candidatesOfTypes),
        ("receive candidates excluding types and keys", QueueSQL.candidatesExcluding), ("send limited", QueueSQL.sendLimited),
        ("lease", QueueSQL.lease), ("lease limited", QueueSQL.leaseLimited), ("exhausted", QueueSQL.deadLetterExhausted), ("extend", QueueSQL.extend),
        ("mark solo", QueueSQL.markSolo), ("delete", QueueSQL.delete), ("delete any", QueueSQL.deleteAny),
        ("release", QueueSQL.release), ("give back", QueueSQL.giveBack), ("dead letter", QueueSQL.deadLetter),
        ("list dead", QueueSQL.listDead), ("requeue", QueueSQL.requeueOne), ("live stats", QueueSQL.liveStats),
        ("dead stats", QueueSQL.deadStats), ("message by id", QueueSQL.messageByID), ("message of job", QueueSQL.messageOfJob),
        ("dead page", QueueSQL.deadPage), ("dead page of type", QueueSQL.deadPageOfType), ("lease counts", QueueSQL.leaseCounts),
    ]

    static let jobs: [(String, SQLStatement)] = [
        ("insert", JobSQL.insert), ("countChildren", JobSQL.countChildren), ("status", JobSQL.status), ("get", JobSQL.get),
        ("children", JobSQL.children), ("update", JobSQL.update), ("subtree", JobSQL.subtree), ("delete", JobSQL.delete),
        ("uncountChild", JobSQL.uncountChild), ("startable", JobSQL.startable), ("start", JobSQL.start),
        ("attachMessage", JobSQL.attachMessage), ("setMessage", JobSQL.setMessage), ("succeedLeaf", JobSQL.succeedLeaf),
        ("succeed", JobSQL.succeed), ("retry", JobSQL.retry), ("fail", JobSQL.fail), ("cancelOne", JobSQL.cancelOne),
        ("childEnded", JobSQL.childEnded), ("settle", JobSQL.settle), ("unstart", JobSQL.unstart), ("revive", JobSQL.revive),
        ("unendChild", JobSQL.unendChild), ("requeuedRunning", JobSQL.requeuedRunning), ("orphaned", JobSQL.orphaned),
        ("stalledParents", JobSQL.stalledParents),
        ("list by status", SQLStatement("SELECT id FROM jobs WHERE status = ? ORDER BY id DESC LIMIT 10")),
        ("list by type", SQLStatement("SELECT id FROM jobs WHERE type = ? ORDER BY id DESC LIMIT 10")),
        ("list by parent", SQLStatement("SELECT id FROM jobs WHERE parent_id = ? ORDER BY id DESC LIMIT 10")),
        ("counts", JobSQL.stats), ("ends per minute", JobSQL.endsPerMinute),
    ]

    /// The dashboard's listings (`JobListing`): every combination it builds is served by an index, without a sort.
    static let listings: [(String, JobFilter)] = [
        ("all", JobFilter()), ("next page", JobFilter(after: "x")), ("status", JobFilter(status: .failed, after: "x")),
        ("type", JobFilter(type: "t", after: "x")), ("parent", JobFilter(parentID: "p", after: "x")),
        ("time range", JobFilter(createdSince: 1, createdBefore: 2)), ("type in a time range", JobFilter(type: "t", createdSince: 1)),
        ("search", JobFilter(search: "word")), ("search, next page", JobFilter(search: "word", after: "x")),
        ("search by status", JobFilter(status: .failed, search: "a b*")),
    ]

    static let flow: [(String, SQLStatement)] = [
        ("pauses", FlowSQL.pauses), ("limited in flight", FlowSQL.limitedInFlight),
        ("next start", FlowSQL.nextStart), ("set next start", FlowSQL.setNextStart), ("ready count", FlowSQL.readyCount),
        ("unique job", FlowSQL.uniqueJob), ("leader lease", FlowSQL.lease), ("schedule", FlowSQL.schedule),
    ]

    static let logs: [(String, SQLStatement)] = [
        ("byJob", JobLogSQL.byJob), ("byJobAfter", JobLogSQL.byJobAfter), ("byLevel", JobLogSQL.byLevel),
        ("countByJob", JobLogSQL.countByJob), ("countsByLevelOfJob", JobLogSQL.countsByLevelOfJob),
        ("countsByLevel", JobLogSQL.countsByLevel), ("deleteByJob", JobLogSQL.deleteByJob), ("deleteOlder", JobLogSQL.deleteOlder),
    ]

    static let remoteWorkers: [(String, SQLStatement)] = [
        ("announce", RemoteWorkerSQL.announce), ("renew", RemoteWorkerSQL.renew), ("forget", RemoteWorkerSQL.forget),
        ("live types", RemoteWorkerSQL.liveTypes),
    ]

    /// The plan's lines.
    private static func plan(_ sql: SQLStatement) async throws -> [String] {
        try await withTemporaryStore { store, _ in
            try await store.database.read { try $0.query("EXPLAIN QUERY PLAN " + sql.text) { $0.text(3) } }
        }
    }

    @Test("hot queue statements use an index", arguments: queue)
    func queueStatements(_ name: String, _ sql: SQLStatement) async throws {
        let plan = try await Self.plan(sql)
        #expect(!plan.contains { $0.hasPrefix("SCAN messages") }, "\(name) scans the message table: \(plan)")
        #expect(plan.contains { $0.contains("USING") && $0.contains("INDEX") || $0.contains("PRIMARY KEY") } || name.hasPrefix("send"),
                "\(name) uses no index: \(plan)")
    }

    @Test("hot job statements use an index and sort nothing", arguments: jobs)
    func jobStatements(_ name: String, _ sql: SQLStatement) async throws {
        let plan = try await Self.plan(sql)
        let scans = plan.filter { line in
            ["SCAN jobs", "SCAN messages", "SCAN j", "SCAN m"].contains { line == $0 || line.hasPrefix($0 + " ") }
        }
        #expect(scans.isEmpty, "\(name) scans: \(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(name) sorts: \(plan)")
    }

    @Test("job listings use an index and sort nothing", arguments: listings)
    func jobListings(_ name: String, _ filter: JobFilter) async throws {
        let plan = try await Self.plan(SQLStatement(JobListing(filter).sql))
        // Without a criterion the listing walks the primary key newest first and stops at the limit.
        let walks = filter == JobFilter()
        #expect(walks || !plan.contains { $0.hasPrefix("SCAN j") && !$0.contains("INDEX") }, "\(name) scans: \(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(name) sorts: \(plan)")
    }

    /// The queue page's listing by state (`QueueListingSQL`).
    static let queueListing: [(String, SQLStatement)] = [
        ("top priority", QueueListingSQL.topPriority), ("next priority", QueueListingSQL.nextPriority),
        ("ready of a priority", QueueListingSQL.ready), ("delayed of a priority", QueueListingSQL.delayed),
        ("in flight", QueueListingSQL.inFlight),
    ]

    @Test("the queue page lists each state through an index: ready and delayed as ranges of the receive index without a sort, in flight through the running jobs",
          arguments: queueListing)
    func queueListingStatements(_ name: String, _ sql: SQLStatement) async throws {
        let plan = try await Self.plan(sql)
        #expect(!plan.contains { $0.hasPrefix("SCAN") }, "\(name) scans: \(plan)")
        if sql.text == QueueListingSQL.inFlight.text {
            // It sorts the messages of the running jobs: as many as jobs run, not as many as the queue holds.
            #expect(plan.first?.contains("USING INDEX jobs_status (status=?)") == true, "\(name): \(plan)")
            #expect(plan.contains { $0.contains("messages") || $0.hasPrefix("SEARCH m USING INTEGER PRIMARY KEY") }, "\(name): \(plan)")
        } else {
            #expect(plan.contains { $0.contains("USING INDEX messages_receive (queue=?") }, "\(name): \(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(name) sorts: \(plan)")
        }
    }

    @Test("a tree's combined progress walks the parent index alone, reading rows of the parents only")
    func descendantProgress() async throws {
        let plan = try await Self.plan(JobSQL.descendantProgress)
        #expect(plan.contains("SEARCH c USING COVERING INDEX jobs_parent (parent_id=?)"), "\(plan)")
        #expect(plan.contains("SEARCH g USING COVERING INDEX jobs_parent (parent_id=?)"), "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN j") || $0.hasPrefix("SCAN jobs") }, "\(plan)")
    }

    @Test("every log query is served by an index, including the cascade's lookup", arguments: logs)
    func logStatements(_ name: String, _ sql: SQLStatement) async throws {
        let plan = try await Self.plan(sql)
        #expect(plan.contains { $0.contains("job_logs_job") || $0.contains("job_logs_level") }, "\(name): \(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN job_logs") && !$0.contains("INDEX") }, "\(name): \(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(name): \(plan)")
    }

    @Test("remote worker statements use the primary key or the expiry index (a worker pool's claim asks for the live types)",
          arguments: remoteWorkers)
    func remoteWorkerStatements(_ name: String, _ sql: SQLStatement) async throws {
        let plan = try await Self.plan(sql)
        #expect(!plan.contains { $0.hasPrefix("SCAN remote_workers") && !$0.contains("INDEX") }, "\(name): \(plan)")
        #expect(plan.contains { $0.contains("remote_workers_expiry") || $0.contains("PRIMARY KEY") } || name.hasPrefix("announce"),
                "\(name): \(plan)")
    }

    @Test("flow control statements (pauses, limit keys, unique jobs, leases, schedules) scan no table", arguments: flow)
    func flowStatements(_ name: String, _ sql: SQLStatement) async throws {
        let plan = try await Self.plan(sql)
        #expect(!plan.contains { $0.hasPrefix("SCAN") && !$0.contains("INDEX") && !$0.contains("subquery") }, "\(name): \(plan)")
    }
}
