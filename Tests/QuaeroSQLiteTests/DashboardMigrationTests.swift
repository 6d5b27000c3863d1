import Foundation
@testable import QuaeroQueue
@testable import QuaeroSQLite
import QuaeroSQLiteSchema
import QuaeroTestSupport
import Testing

/// The engine chain's m0010–m0013 on a database that already holds jobs and dead letters (a database of an
/// earlier Quaero): the counters start from what the rows say, the search index holds the existing jobs, and
/// the dead-letter indexes are rebuilt.
@Suite("SQLite store: counters, search and dead-letter indexes on an existing database")
struct DashboardMigrationTests {
    @Test("opening an older database counts its jobs, indexes them for search and pages its dead letters")
    func upgrade() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (path, store, manager) = try upgradeStore(in: directory)
        try await manager.createJobs((0..<4).map { JobSpec(type: "alpha", config: ["note": .string("old job \($0)")]) })
        try await manager.createJob(JobSpec(type: "beta"))
        let claimed = try await manager.claim(limit: 2, owner: nil)
        _ = try await manager.end(claimed[0].message, .attempt(claimed[0].job!, .succeeded(nil, effects: [])))
        _ = try await manager.end(claimed[1].message, .attempt(claimed[1].job!, .unrecoverable("broken")))
        let expected = try await manager.stats()
        // Back to the schema before m0010: the new tables, triggers and indexes gone, their versions unrecorded.
        try await store.database.write { connection in
            try connection.exec(undoLimitsOffTheLease + """
                DROP TRIGGER job_search_update; DROP TRIGGER job_search_delete;
                DROP TABLE job_counts; DROP TABLE job_minutes; DROP TABLE job_search; DROP TABLE jobs_fts; DROP TABLE dead_counts;
                DROP INDEX messages_dead; DROP INDEX messages_dead_type;
                CREATE INDEX messages_dead ON messages (queue, dead_at, type) WHERE dead_at IS NOT NULL;
                DELETE FROM schema_migrations WHERE chain = 'engine' AND version >= 10;
                """)
        }
        await store.close()

        let (reopened, upgraded) = try upgradeStore(at: path)
        #expect(try await reopened.database.schemaVersions()["engine"] == SQLiteEngineSchema.chain.latestVersion)
        #expect(try await upgraded.stats() == expected)
        #expect(try await upgraded.listJobs(JobFilter(search: "old job")).count == 4)
        #expect(try await upgraded.queue.deadLetters().map(\.error) == ["broken"])
        #expect(try await upgraded.queue.stats().byType["alpha"]?.dead == 1, "m0013 counts the dead letters already stored")
        try await upgraded.createJob(JobSpec(type: "beta", config: ["note": .string("new job")]))
        #expect(try await upgraded.stats()["beta"]?.pending == 2)
        #expect(try await upgraded.listJobs(JobFilter(search: "job")).count == 5, "old and new jobs in one index")
        await reopened.close()
    }
}
