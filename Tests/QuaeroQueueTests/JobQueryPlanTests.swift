@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("Job query plans")
struct JobQueryPlanTests {
    /// The statements a job run or a job lookup executes; none may scan the jobs or messages table.
    /// (`releaseOwned` scans the messages on purpose: it runs only when a pool died or stops, and an index on
    /// `owner` would cost every delivery a page write.)
    static let hot: [(String, SQLStatement)] = [
        ("startable", JobSQL.startable), ("start", JobSQL.start), ("succeedLeaf", JobSQL.succeedLeaf), ("outcome", JobSQL.outcome), ("progress", JobSQL.progress),
        ("status", JobSQL.status), ("succeed", JobSQL.succeed), ("retry", JobSQL.retry), ("fail", JobSQL.fail),
        ("failByMessage", JobSQL.failByMessage), ("childEnded", JobSQL.childEnded), ("settleable", JobSQL.settleable),
        ("finishParent", JobSQL.finishParent), ("giveBack", JobSQL.giveBack), ("unstart", JobSQL.unstart),
        ("unstartByMessage", JobSQL.unstartByMessage),
        ("get", JobSQL.get), ("children", JobSQL.children), ("countChild", JobSQL.countChild),
        ("jobOfMessage", JobSQL.jobOfMessage), ("cancelOne", JobSQL.cancelOne), ("subtree", JobSQL.subtree),
        ("requeuedRunning", JobSQL.requeuedRunning), ("orphaned", JobSQL.orphaned), ("stalledParents", JobSQL.stalledParents),
        ("list by status", SQLStatement("SELECT id FROM jobs WHERE status = ? ORDER BY id DESC LIMIT 10")),
        ("list by type", SQLStatement("SELECT id FROM jobs WHERE type = ? ORDER BY id DESC LIMIT 10")),
        ("list by parent", SQLStatement("SELECT id FROM jobs WHERE parent_id = ? ORDER BY id DESC LIMIT 10")),
    ]

    @Test("hot job statements use an index", arguments: hot)
    func usesIndex(_ name: String, _ sql: SQLStatement) async throws {
        try await withTemporaryDatabase { database, _ in
            let plan = try await database.read { c in
                try c.query("EXPLAIN QUERY PLAN " + sql.text, []) { $0.text(3) }
            }
            let scans = plan.filter { $0.hasPrefix("SCAN jobs") || $0.hasPrefix("SCAN messages") || $0.hasPrefix("SCAN j ") || $0.hasPrefix("SCAN m ") || $0 == "SCAN j" || $0 == "SCAN m" }
            #expect(scans.isEmpty, "\(name) scans: \(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(name) sorts: \(plan)")
        }
    }
}
