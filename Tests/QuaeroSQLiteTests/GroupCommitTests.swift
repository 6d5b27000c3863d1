import Foundation
import QuaeroQueue
@testable import QuaeroSQLite
import QuaeroTestSupport
import Testing

@Suite("Database: group commit")
struct GroupCommitTests {
    /// Writes that queue up behind a running one are committed together, in one transaction.
    @Test(.timeLimit(.minutes(1)))
    func writesQueuedBehindARunningOneShareACommit() async throws {
        try await withTemporaryStore { store, _ in
            let queue = try Queue(name: "g", store: store)
            let inside = Locked(false)
            let release = Locked(false)
            try await withThrowingTaskGroup(of: Void.self) { group in
                // A write that holds the writer until the test lets it go (it blocks its thread on purpose).
                group.addTask {
                    try await store.database.write { _ in
                        inside.withLock { $0 = true }
                        while !release.value { usleep(200) }
                    }
                }
                #expect(await waitUntil { inside.value })
                let before = store.database.writeStatistics
                for i in 0..<8 {
                    group.addTask { _ = try await queue.send(Data("m\(i)".utf8)) }
                }
                #expect(await waitUntil { store.database.waitingWrites == 8 })
                release.withLock { $0 = true }
                try await group.waitForAll()
                let after = store.database.writeStatistics
                // The holder's transaction was counted when it began, before `before`.
                #expect(after.writes - before.writes == 8)
                #expect(after.transactions - before.transactions == 1, "the 8 queued sends did not share one commit")
            }
            #expect(try await queue.stats().totals.ready == 8)
        }
    }
}
