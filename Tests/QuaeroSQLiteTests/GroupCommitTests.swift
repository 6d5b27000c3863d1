import Foundation
import QuaeroQueue
@testable import QuaeroSQLite
import QuaeroTestSupport
import Testing

/// Serialized: each test holds the writer by blocking a thread of Swift's cooperative pool (`WriterHold`), which
/// has one thread a core; two tests holding at once on two cores left no thread to release them (seen when
/// this suite ran beside few others, 2026-11-29: both tests hung, their time limits with them).
@Suite("Database: group commit", .serialized)
struct GroupCommitTests {
    /// Writes that queue up behind a running one are committed together, in one transaction.
    @Test(.timeLimit(.minutes(1)))
    func writesQueuedBehindARunningOneShareACommit() async throws {
        try await withTemporaryStore { store, _ in
            let queue = try Queue(name: "g", store: store)
            let hold = WriterHold()
            try await withThrowingTaskGroup(of: Void.self) { group in
                await hold.start(on: store, in: &group)
                let before = store.database.writeStatistics
                for i in 0..<8 {
                    group.addTask { _ = try await queue.send(Data("m\(i)".utf8)) }
                }
                #expect(await waitUntil { store.database.waitingWrites == 8 })
                hold.release()
                try await group.waitForAll()
                let after = store.database.writeStatistics
                // The holder's transaction was counted when it began, before `before`.
                #expect(after.writes - before.writes == 8)
                #expect(after.transactions - before.transactions == 1, "the 8 queued sends did not share one commit")
            }
            #expect(try await queue.stats().totals.ready == 8)
        }
    }

    /// Single operations of one statement share a commit without savepoints of their own: one that fails (a send
    /// refused by a trigger, a delete whose delivery is gone) leaves nothing behind, and the others commit.
    @Test(.timeLimit(.minutes(1)))
    func aFailingOneStatementWriteInAGroupLeavesTheOthersCommitted() async throws {
        try await withTemporaryStore { store, _ in
            let queue = try Queue(name: "g", store: store)
            _ = try await queue.send(Data("held".utf8))
            let held = try #require(try await queue.receive().first)
            try await TestRows.refuseMessages(withBody: "bad", in: store)
            let hold = WriterHold()
            let outcomes = Locked([String: Bool]())
            try await withThrowingTaskGroup(of: Void.self) { group in
                await hold.start(on: store, in: &group)
                let before = store.database.writeStatistics
                let writes: [(String, @Sendable () async throws -> Void)] = [
                    ("send a", { _ = try await queue.send(Data("a".utf8)) }),
                    ("send bad", { _ = try await queue.send(Data("bad".utf8)) }),
                    ("delete stale", { try await queue.delete(Receipt(messageID: held.id, lease: held.receipt.lease &+ 1)) }),
                    ("send b", { _ = try await queue.send(Data("b".utf8)) }),
                    ("delete held", { try await queue.delete(held.receipt) }),
                ]
                for (name, write) in writes {
                    group.addTask {
                        let ok = (try? await write()) != nil
                        outcomes.withLock { $0[name] = ok }
                    }
                }
                #expect(await waitUntil { store.database.waitingWrites == writes.count })
                hold.release()
                try await group.waitForAll()
                let after = store.database.writeStatistics
                #expect(after.transactions - before.transactions == 1, "the queued writes did not share one commit")
            }
            #expect(outcomes.value == ["send a": true, "send bad": false, "delete stale": false, "send b": true, "delete held": true])
            #expect(try await queue.receive(limit: 10).map(\.text).sorted() == ["a", "b"])
            #expect(try await queue.stats().totals.ready + queue.stats().totals.inFlight == 2)
        }
    }
}

/// A write that holds the store's writer until `release()` (it blocks its thread on purpose), so that the writes
/// started meanwhile queue up behind it and share the next commit.
private struct WriterHold {
    let inside = Locked(false)
    let released = Locked(false)

    func start(on store: SQLiteStore, in group: inout ThrowingTaskGroup<Void, any Error>) async {
        group.addTask { [inside, released] in
            try await store.database.write { _ in
                inside.withLock { $0 = true }
                while !released.value { usleep(200) }
            }
        }
        #expect(await waitUntil { inside.value })
    }

    func release() { released.withLock { $0 = true } }
}
