import Foundation
import QuaeroPostgres
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// Reaping a pool taken for dead while it still acks its jobs: the two lock the same message rows, and they
/// deadlocked (5 times in the multi-node runs) when the acks locked them in their arrays' order and the
/// reaper in the table's.
@Suite("PostgreSQL: reaping a dead pool's leases beside its acks", .enabled(if: hasPostgres))
struct ReapDeadlockTests {
    @Test("a reap while an ack transaction holds some of the pool's rows and then takes others: no deadlock, each message acked or released once")
    func reapBesideAcks() async throws {
        let clock = ManualClock()
        try await withClusterSchema(clock: clock) { _, store in
            let queue = try Queue(name: "reap", store: store)
            let manager = JobManager(queue: queue)
            for _ in 0..<5 {
                _ = try await queue.send(batch: (0..<40).map { OutgoingMessage(body: Data("\($0)".utf8)) })
                let pool = try await store.write { tx in try await tx.registerPool(name: "doomed", pid: 1, heartbeat: .seconds(1)) }
                let held = try await queue.receive(limit: 40, owner: pool).map(\.receipt).sorted { $0.messageID < $1.messageID }
                #expect(held.count == 40)
                clock.advance(by: .seconds(10))  // three heartbeats missed: the pool is dead to the others
                // The ack locks the later half first (the table's order reversed), then, once the reaper is under
                // way, the earlier half: the order in which a nested loop over an ack's array can take them.
                let firstHalf = Locked(false)
                async let acking: Int = store.write { tx in
                    var acked = try await tx.delete(Array(held[20...].reversed())).count
                    firstHalf.withLock { $0 = true }
                    try await Task.sleep(for: .milliseconds(300))
                    acked += try await tx.delete(Array(held[..<20].reversed())).count
                    return acked
                }
                #expect(await waitUntil { firstHalf.value })
                let released = try await manager.releaseLeasesOfDeadPools()
                let acked = try await acking
                // Rows the reaper skipped (the ack held them) were acked, or go back at the next reap.
                let late = try await manager.releaseLeasesOfDeadPools()
                #expect(acked + released + late == 40, "acked \(acked), released \(released) + \(late)")
                #expect(try await count(store, "SELECT count(*) FROM messages WHERE owner IS NOT NULL") == 0)
                #expect(try await count(store, "SELECT count(*) FROM worker_pools") == 0, "the dead pool is forgotten")
                for message in try await queue.receive(limit: 40) { try await queue.delete(message.receipt) }
            }
        }
    }
}
