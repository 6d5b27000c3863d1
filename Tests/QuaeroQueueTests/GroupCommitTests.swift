import Foundation
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("Database: group commit")
struct GroupCommitTests {
    /// Concurrent writers share commits: fewer transactions than writes.
    @Test(.timeLimit(.minutes(1)))
    func concurrentWritesShareCommits() async throws {
        try await withTemporaryDatabase { database, _ in
            let queue = try Queue(name: "g", database: database)
            let before = database.writeStatistics
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<300 { _ = try await queue.send(Data("x".utf8)) }
                    }
                }
                try await group.waitForAll()
            }
            let after = database.writeStatistics
            let writes = after.writes - before.writes
            let transactions = after.transactions - before.transactions
            #expect(writes == 2400)
            #expect(transactions < writes, "no write shared a commit")
            print("group commit: \(writes) writes in \(transactions) transactions")
        }
    }
}
