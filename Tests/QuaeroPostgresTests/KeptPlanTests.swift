import Foundation
@testable import QuaeroPostgres
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// The plans a connection keeps for the hot statements that find jobs and messages by id: made once, at the
/// statement's first run (`plan_cache_mode = force_generic_plan`), for the tables' size then, and used however
/// large they grow until the next VACUUM or ANALYZE of the table makes them plan again.
///
/// Not with 0 rows: a table analyzed empty makes every path cost the same, and the claim's and ends' job
/// lookups may then go through another index with the id in it (jobs_type); autovacuum analyzes the table
/// again after 50 rows changed, which makes the connections plan again.
@Suite("PostgreSQL: kept plans find jobs and messages by id", .enabled(if: hasPostgres))
struct KeptPlanTests {
    @Test("the claim's start of jobs and the batched ends read rows by id, whatever the tables' size when the plan was made",
          arguments: [5, 50, 500])
    func byIDAtAnySize(jobs: Int) async throws {
        try await withPostgresSchema { url in
            let filler = try await PostgresStore.open(url, options: PostgresStoreOptions(poolSize: 1))
            try await closing(filler) {
                // Half pending, half completed, and a message for each: the statistics a young database has.
                try await write(filler, """
                    INSERT INTO jobs (id, type, status, created_at, updated_at)
                    SELECT 'j' || g, 'noop', CASE WHEN g % 2 = 0 THEN 'pending' ELSE 'completed' END, 0, 0
                    FROM generate_series(1, $1::int) g
                    """, [Int64(jobs)])
                try await write(filler, """
                    INSERT INTO messages (queue, body, visible_at, created_at, job_id)
                    SELECT 'plans', '\\x00'::bytea, 0, 0, 'j' || g FROM generate_series(1, $1::int) g
                    """, [Int64(jobs)])
            }
            try await PostgresTestServer.execute(["ANALYZE \(try schema(of: url)).jobs", "ANALYZE \(try schema(of: url)).messages"])

            let store = try await PostgresStore.open(url, options: PostgresStoreOptions(poolSize: 1, pollOnly: true))
            try await closing(store) {
                // Each statement's first run on the store's one connection, which makes its plan.
                _ = try await store.write { tx in
                    try await tx.claim(ReceiveRequest(queue: "none", limit: 3, visibility: .seconds(30), maxReceive: 5))
                }
                _ = try await store.write { tx in
                    try await tx.deleteAndCompleteJobs([JobCompletion(job: Self.job("j0"), result: nil)],
                                                       receipts: [Receipt(messageID: -1, lease: 0)])
                }
                _ = try await store.write { tx in try await tx.completeJobs([Self.job("j1"), Self.job("j2")].map { JobCompletion(job: $0, result: nil) }) }
                _ = try await store.delete([Receipt(messageID: -1, lease: 0), Receipt(messageID: -2, lease: 0)])

                for (what, pattern) in [("the claim", "%started AS%"), ("the batched ends", "WITH deleted AS%"),
                                        ("the batched completions", "UPDATE jobs j SET result = (SELECT%"),
                                        ("the batched acks", "DELETE FROM messages m USING unnest%")] {
                    let plan = try await keptPlan(store, like: pattern)
                    let scans = Self.scans(of: ["jobs", "messages"], in: plan)
                    #expect(!scans.isEmpty, "\(what): no scan of jobs or messages in\n\(plan)")
                    // Only the primary key's index has the id first: another index's condition on its id column
                    // (jobs_status and jobs_type end with it) walks that whole index.
                    for scan in scans where scan.relation == "jobs" || scan.node.contains("_pkey") || scan.joined {
                        #expect(scan.index == "\(scan.relation)_pkey" && scan.condition.contains("id ="),
                                "\(what) with \(jobs) jobs reads \(scan.relation) without its id:\n\(plan)")
                    }
                }
            }
        }
    }

    /// Runs the test's own rows into the tables in a transaction of `store`.
    private func write(_ store: PostgresStore, _ text: String, _ values: [PostgresBind]) async throws {
        _ = try await store.write { tx in try await (tx as! PostgresTransaction).query(text, values) }
    }

    /// The schema a test URL names (`options=-c search_path=…`).
    private func schema(of url: String) throws -> String {
        let decoded = try #require(url.removingPercentEncoding)
        let range = try #require(decoded.range(of: "search_path="))
        return String(decoded[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" })
    }

    /// The generic plan the store's connection keeps for its prepared statement whose text is like `pattern`.
    private func keptPlan(_ store: PostgresStore, like pattern: String) async throws -> String {
        let row = try #require(try await sql(store, """
            SELECT name, parameter_types::text[] FROM pg_prepared_statements WHERE statement LIKE $1::text
            """, [pattern]).first, "no prepared statement like \(pattern)")
        // A kept generic plan does not depend on the values: NULLs of each parameter's type.
        let nulls = try row.optionalTextArray(1).map { "NULL::\($0)" }.joined(separator: ", ")
        let lines = try await sql(store, "EXPLAIN EXECUTE \(try row.text(0))(\(nulls))")
        return try lines.map { try $0.text(0) }.joined(separator: "\n")
    }

    /// A scan node of a plan: its line, relation, the conditions that position it in an index, and whether it is
    /// the inner side of a join by id (a join filter on an id above it).
    struct Scan {
        var node: String
        var relation: String
        /// The index it reads (a bitmap heap scan's: its bitmap index scan's), nil for none.
        var index: String?
        var condition: String
        var joined: Bool
    }

    /// The scan nodes of `plan` on `relations`, each with its index condition (empty for a scan without one:
    /// a sequential scan, a whole index, or a bitmap's recheck of a condition that is not the id).
    static func scans(of relations: [String], in plan: String) -> [Scan] {
        let lines = plan.split(separator: "\n").map(String.init)
        var found: [Scan] = []
        for (index, line) in lines.enumerated() {
            guard line.contains("Scan"), let relation = relations.first(where: { line.contains(" on \($0) ") || line.hasSuffix(" on \($0)") }) else {
                continue
            }
            let depth = line.prefix { $0 == " " }.count
            var condition = ""
            var used = Self.index(in: line)
            // The node's own detail lines, and for a bitmap heap scan its bitmap index scan's.
            for next in lines[(index + 1)...] {
                let nextDepth = next.prefix { $0 == " " }.count
                if next.contains("->") && nextDepth <= depth { break }
                if next.contains("Index Cond:") { condition += next }
                if used == nil, next.contains("Bitmap Index Scan on ") { used = Self.index(in: next) }
            }
            let above = lines[..<index].last { $0.contains("Join Filter:") || $0.contains("Hash Cond:") } ?? ""
            found.append(Scan(node: line, relation: relation, index: used, condition: condition, joined: above.contains(".id")))
        }
        return found
    }

    /// The index a plan line names: `Index Scan using NAME on …`, `Bitmap Index Scan on NAME`.
    private static func index(in line: String) -> String? {
        for marker in ["Index Scan using ", "Index Only Scan using ", "Bitmap Index Scan on "] {
            if let range = line.range(of: marker) {
                return String(line[range.upperBound...].prefix { !$0.isWhitespace })
            }
        }
        return nil
    }

    private static func job(_ id: String) -> Job {
        Job(id: id, parentID: nil, type: JobType("noop"), status: .running, config: [:], fields: [:], progress: JobProgress(),
            message: nil, result: nil, error: nil, attempts: 1, failOnChildFailure: true, createdAt: 0, startedAt: 0,
            finishedAt: nil, updatedAt: 0)
    }
}
