import Foundation
@testable import QuaeroQueue
@testable import QuaeroSQLite
import QuaeroTestSupport
import Testing

/// m0014 on a database whose limited messages are in flight: their leases keep holding their key.
@Suite("SQLite store: m0014 (limit_holds) on a database with leases in flight")
struct LimitHoldsMigrationTests {
    @Test("a key at its max_in_flight before the upgrade stays held after it; the lease's end frees it")
    func upgrade() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("old.db")
        let clock = ManualClock()
        let store = try SQLiteStore(path: path, clock: clock)
        let queue = try Queue(name: "q", store: store)
        let messages = ["1", "2"].map { NewMessage(OutgoingMessage(body: Data($0)), limits: MessageLimits(key: "k", maxInFlight: 1)) }
        _ = try await store.write { tx in try await tx.send(messages, queue: "q") }
        #expect(try await store.receive(queue.request(limit: 5, owner: nil)).messages.count == 1)
        // Back to m0013 (see undoM0014).
        try await store.database.write { try Self.undoM0014($0) }
        await store.close()

        let reopened = try SQLiteStore(path: path, clock: clock)
        #expect(try await reopened.database.schemaVersions()["engine"] == 14)
        let again = try Queue(name: "q", store: reopened)
        #expect(try await reopened.receive(again.request(limit: 5, owner: nil)).messages.isEmpty,
                "the lease taken before the upgrade still holds the key")
        clock.advance(by: again.options.visibilityTimeout + .seconds(1))
        let after = try await reopened.receive(again.request(limit: 5, owner: nil))
        #expect(after.messages.count == 1, "the lease taken before the upgrade ended: \(after)")
        await reopened.close()
    }

    @Test("every way a delivery of a limited message ends takes its hold away; plain deliveries leave none")
    func holdsEnd() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clock = ManualClock()
        let store = try SQLiteStore(path: directory.path("holds.db"), clock: clock)
        let queue = try Queue(name: "q", store: store)
        let holds = { try await store.database.read { try $0.queryFirst("SELECT count(*) FROM limit_holds") { $0.int(0) } } ?? -1 }
        let limits = MessageLimits(key: "k", maxInFlight: 20, typeMaxInFlight: 20)
        let sent = (0..<9).map { NewMessage(OutgoingMessage(body: Data("\($0)".utf8), type: "t"), limits: limits) }
            + [NewMessage(OutgoingMessage(body: Data("plain".utf8)), limits: nil)]
        _ = try await store.write { tx in try await tx.send(sent, queue: "q") }
        let pool = try await store.write { tx in try await tx.registerPool(name: "p", pid: 1, heartbeat: .seconds(1)) }
        let delivered = try await store.receive(queue.request(limit: 10, owner: pool)).messages
        #expect(delivered.count == 10)
        #expect(try await holds() == 9, "one hold per limited delivery, none for the plain one")
        let r = delivered.map(\.receipt)
        #expect(try await store.extend(r[0], by: .seconds(60)))
        #expect(try await store.delete(r[0]))
        #expect(try await store.release(r[1], after: .zero, error: "again", maxReceive: 5) == .requeued)
        #expect(try await store.deadLetter(r[2], reason: "broken"))
        try await store.write { tx in
            #expect(try await tx.giveBack(r[3]))
            #expect(try await tx.snooze(r[4], after: .seconds(5)))
            #expect(try await tx.delete([r[5], r[9]]).count == 2)
            try await tx.deleteMessages([delivered[6].id])
        }
        #expect(try await holds() == 2, "the two deliveries still running hold theirs")
        let released = try await store.write { tx in try await tx.releaseLeases(ofPool: pool, reason: "gone") }
        #expect(released.count == 2)
        #expect(try await holds() == 0)
        _ = try await store.receive(queue.request(limit: 10, owner: nil))
        #expect(try await holds() > 0)
        _ = try await store.write { tx in try await tx.purgeMessages(queue: "q") }
        #expect(try await holds() == 0)
        await store.close()
    }

    /// Takes a database back to m0013: m0009's limit indexes on the lease's end, no `limit_holds`, version 14
    /// unrecorded (the earlier migrations' tests start from there too).
    static func undoM0014(_ connection: Connection) throws {
        try connection.exec("""
            DROP TABLE limit_holds;
            CREATE INDEX messages_limit ON messages (limit_key, leased_until) WHERE limit_key IS NOT NULL;
            CREATE INDEX messages_type_limit ON messages (queue, type, leased_until) WHERE type_max IS NOT NULL;
            DELETE FROM schema_migrations WHERE chain = 'engine' AND version = 14;
            """)
    }
}
