import Foundation
@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

/// Every hot statement of the queue is served by an index: no scan of the message table.
@Suite("Queue: query plans")
struct QueryPlanTests {
    @Test(arguments: [
        ("send", QueueSQL.send), ("send with key", QueueSQL.sendWithKey), ("dedup lookup", QueueSQL.findByKey), ("receive candidates", QueueSQL.candidates), ("lease", QueueSQL.lease), ("exhausted", QueueSQL.deadLetterExhausted),
        ("extend", QueueSQL.extend), ("delete", QueueSQL.delete), ("release", QueueSQL.release),
        ("dead letter", QueueSQL.deadLetter), ("list dead", QueueSQL.listDead), ("requeue", QueueSQL.requeueOne),
        ("live stats", QueueSQL.liveStats), ("dead stats", QueueSQL.deadStats),
    ])
    func usesAnIndex(name: String, sql: SQLStatement) async throws {
        try await withTemporaryDatabase { database, _ in
            let plan = try await database.read { connection in
                try connection.query("EXPLAIN QUERY PLAN " + sql.text) { $0.text(3) }
            }
            let scans = plan.filter { $0.hasPrefix("SCAN messages") }
            #expect(scans.isEmpty, "\(name) scans the message table: \(plan)")
            #expect(plan.contains { $0.contains("USING") && $0.contains("INDEX") || $0.contains("PRIMARY KEY") } || name.hasPrefix("send"),
                    "\(name) uses no index: \(plan)")
        }
    }
}
