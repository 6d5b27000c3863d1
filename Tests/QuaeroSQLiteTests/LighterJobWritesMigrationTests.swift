import Foundation
@testable import QuaeroQueue
@testable import QuaeroSQLite
import QuaeroSQLiteSchema
import QuaeroTestSupport
import Testing

/// The engine chain's m0015 on SQLite: the job counters' minute columns, and the status CHECK of `jobs` spelled
/// with OR, on a new database and on one that already holds jobs.
@Suite("SQLite store: m0015, lighter job writes")
struct LighterJobWritesMigrationTests {
    static let orCheck = "CHECK (status = 'pending' OR status = 'running' OR status = 'completed' OR status = 'failed' OR status = 'cancelled')"
    static let inCheck = "CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled'))"

    /// The text `jobs` is declared with, as sqlite_schema holds it.
    static func jobsTable(_ connection: Connection) throws -> String {
        try connection.queryFirst("SELECT sql FROM sqlite_schema WHERE name = 'jobs'") { $0.text(0) } ?? ""
    }

    /// The opcodes of `sql`'s program.
    static func opcodes(_ sql: SQLStatement, in store: SQLiteStore) async throws -> [String] {
        try await store.database.read { try $0.query("EXPLAIN " + sql.text) { $0.text(1) } }
    }

    @Test("a job's insert, start and end build no lookup table for the status CHECK, which still refuses other values")
    func noLookupTable() async throws {
        try await withTemporaryStore { store, _ in
            for (name, sql) in [("insert", JobSQL.insert), ("start", JobSQL.start), ("end", JobSQL.succeedCleanLeaf)] {
                let opcodes = try await Self.opcodes(sql, in: store)
                #expect(!opcodes.isEmpty)
                #expect(!opcodes.contains("OpenEphemeral"), "\(name): \(opcodes)")
            }
            let error = await #expect(throws: (any Error).self) {
                try await store.database.write { connection in
                    try connection.exec("INSERT INTO jobs (id, type, status, created_at, updated_at) VALUES ('x', 't', 'paused', 1, 1)")
                }
            }
            #expect(String(describing: error).contains("CHECK constraint failed"), "\(String(describing: error))")
        }
    }

    @Test("the migrations apply on a connection in SQLite's defensive mode, which refuses edits of sqlite_schema, and leave the mode as it was")
    func defensiveConnection() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let connection = try Connection(path: directory.path("defensive.db"), busyTimeout: .seconds(5))
        connection.isDefensive = true
        #expect(connection.isDefensive)
        #expect(throws: (any Error).self, "defensive mode refuses the edit m0015 makes") {
            try connection.exec("CREATE TABLE t (x); PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = sql WHERE name = 't'")
        }
        try Database.migrate(connection, chains: [SQLiteEngineSchema.chain])
        #expect(connection.isDefensive)
        let table = try Self.jobsTable(connection)
        #expect(table.contains(Self.orCheck), "\(table)")
        #expect(try Database.recordedVersions(connection)["engine"] == SQLiteEngineSchema.chain.latestVersion)
        connection.close()
    }

    @Test("opening a database of engine version 14 that holds jobs rewrites its CHECK and keeps every job and count")
    func upgrade() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (path, store, manager) = try upgradeStore(in: directory)
        try await manager.createJobs((0..<3).map { _ in JobSpec(type: "alpha") })
        let claimed = try await manager.claim(limit: 1, owner: nil)
        _ = try await manager.end(claimed[0].message, .attempt(claimed[0].job!, .succeeded(nil, effects: [])))
        let expected = try await manager.stats()
        // Back to version 14: the IN spelling (as m0002 made it) and no minute columns; the ends of the minute in the ring.
        try await store.database.write { connection in
            try connection.exec(undoLimitsOffTheLease + """
                INSERT INTO job_minutes (slot, minute, completed, failed)
                SELECT minute % 1440, minute, minute_completed, minute_failed FROM job_counts WHERE minute_completed > 0;
                ALTER TABLE job_counts DROP COLUMN minute; ALTER TABLE job_counts DROP COLUMN minute_completed;
                ALTER TABLE job_counts DROP COLUMN minute_failed;
                PRAGMA writable_schema = ON;
                UPDATE sqlite_schema SET sql = replace(sql, '\(Self.orCheck.replacingOccurrences(of: "'", with: "''"))',
                                                       '\(Self.inCheck.replacingOccurrences(of: "'", with: "''"))')
                WHERE name = 'jobs';
                PRAGMA writable_schema = RESET;
                CREATE TABLE cookie (x); DROP TABLE cookie;
                DELETE FROM schema_migrations WHERE chain = 'engine' AND version >= 15;
                """)
            #expect(try Self.jobsTable(connection).contains(Self.inCheck))
        }
        await store.close()

        let (reopened, upgraded) = try upgradeStore(at: path)
        #expect(try await reopened.database.schemaVersions()["engine"] == SQLiteEngineSchema.chain.latestVersion)
        let table = try await reopened.database.read { try Self.jobsTable($0) }
        #expect(table.contains(Self.orCheck) && !table.contains(Self.inCheck), "\(table)")
        #expect(try await reopened.database.read { try $0.queryFirst("PRAGMA integrity_check") { $0.text(0) } } == "ok")
        #expect(!(try await Self.opcodes(JobSQL.insert, in: reopened)).contains("OpenEphemeral"))
        #expect(try await upgraded.stats() == expected)
        #expect(try await upgraded.listJobs(JobFilter()).count == 3)
        // The minute ended before the upgrade (in the ring) and one ended after it (in the row) add up.
        let next = try await upgraded.claim(limit: 1, owner: nil)
        _ = try await upgraded.end(next[0].message, .attempt(next[0].job!, .succeeded(nil, effects: [])))
        #expect(try await upgraded.endsPerMinute(last: 1440).reduce(0) { $0 + $1.completed } == 2)
        #expect(try await upgraded.stats()["alpha"]?.completed == 2)
        await reopened.close()
    }
}
