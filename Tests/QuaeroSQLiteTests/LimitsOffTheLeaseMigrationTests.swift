import Foundation
@testable import QuaeroQueue
@testable import QuaeroSQLite
import QuaeroSQLiteSchema
import QuaeroTestSupport
import Testing

/// The engine chain's m0016 on SQLite: a delivery of a message without limits writes no index, and a database
/// whose messages with limits are in flight keeps them counted across the upgrade.
@Suite("SQLite store: m0016, limits off the lease")
struct LimitsOffTheLeaseMigrationTests {
    /// The cursors `sql`'s program opens for writing: the table's and one per index it maintains.
    static func writeCursors(_ sql: SQLStatement, in store: SQLiteStore) async throws -> Int {
        try await LighterJobWritesMigrationTests.opcodes(sql, in: store).count { $0 == "OpenWrite" }
    }

    @Test("a lease without limits maintains no index, a lease with limits one; a delete tests one limit index, not two")
    func leaseWritesNoIndex() async throws {
        try await withTemporaryStore { store, _ in
            let lease = try await Self.writeCursors(QueueSQL.lease, in: store)
            let leaseLimited = try await Self.writeCursors(QueueSQL.leaseLimited, in: store)
            let delete = try await Self.writeCursors(QueueSQL.delete, in: store)
            #expect(lease == 1)
            #expect(leaseLimited == 2)
            // The table, the receive, dedup and two dead-letter indexes, and messages_limited.
            #expect(delete == 6)
        }
    }

    @Test("opening a database of engine version 15 with a message of a limited key in flight keeps the key held until that message goes")
    func upgrade() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (path, store, manager) = try upgradeStore(in: directory)
        let queue = manager.queue
        let limits = MessageLimits(key: "host:a", maxInFlight: 1, typeMaxInFlight: 5)
        _ = try await store.write { tx in
            try await tx.send(["1", "2"].map { NewMessage(OutgoingMessage(body: Data($0.utf8), type: "fetch"), limits: limits) },
                              queue: queue.name)
        }
        let first = try #require(try await store.receive(queue.request(limit: 5, owner: nil)).messages.first)
        // Back to version 15: the lease's end in m0009's two indexes, no limit_until.
        try await store.database.write { connection in
            try connection.exec(undoLimitsOffTheLease + "DELETE FROM schema_migrations WHERE chain = 'engine' AND version >= 16;")
        }
        await store.close()

        let (reopened, upgraded) = try upgradeStore(at: path)
        #expect(try await reopened.database.schemaVersions()["engine"] == SQLiteEngineSchema.chain.latestVersion)
        #expect(try await reopened.database.read { try $0.queryFirst("PRAGMA integrity_check") { $0.text(0) } } == "ok")
        let request = upgraded.queue.request(limit: 5, owner: nil)
        let held = try await reopened.receive(request)
        #expect(held.messages.isEmpty && held.heldBack, "the lease taken before the upgrade still holds the key")
        #expect(try await reopened.write { try await $0.delete([first.receipt]) } == [first.receipt])
        #expect(try await reopened.receive(request).messages.map { String(decoding: $0.body, as: UTF8.self) } == ["2"])
        await reopened.close()
    }
}
