import Foundation
@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

/// The named lease that one process holds at a time (DESIGN §8, §13).
@Suite("Flow control: leader leases")
struct LeaderLeaseTests {
    private func acquire(_ store: any QuaeroStore, _ holder: String, ttl: Duration = .seconds(30)) async throws -> Bool {
        try await store.write { try await $0.acquireLease("work", holder: holder, ttl: ttl) }
    }

    @Test("one holder at a time: renewed by its holder, taken over once it lapses, free at once when given up",
          arguments: StoreKind.available)
    func lease(_ kind: StoreKind) async throws {
        let clock = ManualClock()
        try await withStore(kind, clock: clock) { store in
            let start = clock.nowMillis()
            #expect(try await store.read { try await $0.leaderLease("work") } == nil)
            #expect(try await acquire(store, "a"))
            #expect(try await !acquire(store, "b"))
            clock.advance(by: .seconds(20))
            #expect(try await acquire(store, "a"), "renewed")
            #expect(try await store.read { try await $0.leaderLease("work") }
                    == LeaderLease(name: "work", holder: "a", acquiredAt: start, expiresAt: start + 50_000))
            clock.advance(by: .seconds(29))
            #expect(try await !acquire(store, "b"), "still held: the renewal moved the expiry")
            clock.advance(by: .seconds(1))
            #expect(try await acquire(store, "b"), "lapsed")
            #expect(try await !acquire(store, "a"))
            try await store.write { try await $0.releaseLease("work", holder: "a") }  // not its holder: nothing
            #expect(try await !acquire(store, "a"))
            try await store.write { try await $0.releaseLease("work", holder: "b") }
            #expect(try await acquire(store, "a"))
            #expect(try await store.read { try await $0.leaderLease("work")?.acquiredAt } == clock.nowMillis())
        }
    }

    @Test("a standby's next try is when the holder's lease lapses (not a renewal tick later); none while no one holds it",
          arguments: StoreKind.available)
    func retryTime(_ kind: StoreKind) async throws {
        let clock = ManualClock()
        try await withStore(kind, clock: clock) { store in
            let start = clock.nowMillis()
            let holder = Leadership(store: store, name: "work", ttl: .seconds(25))
            let standby = Leadership(store: store, name: "work", ttl: .seconds(25))
            #expect(try await standby.retryTime(now: start) == nil)
            #expect(try await holder.acquire())
            #expect(try await !standby.acquire())
            #expect(try await standby.retryTime(now: clock.nowMillis()) == start + 25_000)
            clock.advance(by: .seconds(25))
            // Lapsed but not yet taken: try again at once (a few ms on, never in the past).
            #expect(try await standby.retryTime(now: clock.nowMillis()) == clock.nowMillis() + 5)
            #expect(try await standby.acquire())
            try await standby.release()
            #expect(try await holder.retryTime(now: clock.nowMillis()) == nil)
        }
    }

    @Test("two processes bid for one lease: one holds it", arguments: StoreKind.shared)
    func acrossHandles(_ kind: StoreKind) async throws {
        let clock = ManualClock()
        try await withStore(kind, clock: clock) { store in
            try await withAnotherHandle(on: store, kind: kind, clock: clock) { other in
                let here = Leadership(store: store, name: "scheduler")
                let there = Leadership(store: other, name: "scheduler")
                #expect(here.holder != there.holder)
                #expect(try await here.acquire())
                #expect(try await !there.acquire())
                try await here.release()
                #expect(try await there.acquire())
            }
        }
    }
}
