import Foundation
@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

/// Limit keys and type limits, held back in the claim itself (DESIGN §8).
@Suite("Flow control: limits")
struct FlowLimitTests {
    @Test("a key's max_in_flight is never exceeded, and a saturated key does not hold back the others",
          arguments: StoreKind.available)
    func maxInFlight(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, _ in
            try await queue.send((1...50).map { "a\($0)" }, limits: MessageLimits(key: "k:a", maxInFlight: 2))
            try await queue.send(["b1", "b2"], limits: MessageLimits(key: "k:b", maxInFlight: 1))
            try await queue.send(["free"], limits: nil)
            let first = try await queue.deliver(10)
            // 48 messages of a saturated key sit ahead of the others: they are passed over, not leased.
            #expect(first.bodies == ["a1", "a2", "b1", "free"])
            #expect(first.heldBack)
            #expect(first.rateLimitedUntil == nil)
            #expect(try await queue.deliver(10).bodies.isEmpty)
            try await queue.delete(first.messages[0].receipt)
            let next = try await queue.deliver(10)
            #expect(next.bodies == ["a3"])
            #expect(try await queue.stats().totals.inFlight == 4)
        }
    }

    @Test("a limit of 1 runs a key's messages one at a time, in order", arguments: StoreKind.available)
    func serialKey(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, _ in
            try await queue.send(["1", "2", "3"], limits: MessageLimits(key: "serial", maxInFlight: 1))
            var order: [String] = []
            while let message = try await queue.deliver(5).messages.first {
                #expect(try await queue.deliver(5).messages.isEmpty, "one at a time")
                order.append(message.text)
                try await queue.delete(message.receipt)
            }
            #expect(order == ["1", "2", "3"])
        }
    }

    @Test("an expired lease frees its key, and a released message counts no more", arguments: StoreKind.available)
    func leasesEnd(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, clock, _ in
            try await queue.send(["1", "2"], limits: MessageLimits(key: "k", maxInFlight: 1))
            let first = try #require(try await queue.deliver(5).messages.first)
            #expect(try await queue.deliver(5).messages.isEmpty)
            clock.advance(by: .seconds(31))  // past the visibility timeout: its worker is gone
            let again = try await queue.deliver(5)
            #expect(again.messages.count == 1)
            try await queue.release(again.messages[0].receipt, error: "retry")
            #expect(try await queue.deliver(5).messages.count == 1)
            _ = first
        }
    }

    @Test("an extended lease holds its key and type past its first timeout; a dead letter or a release frees them at once",
          arguments: StoreKind.available)
    func leaseChanges(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, clock, _ in
            try await queue.send(["1", "2", "3"], type: "fetch", limits: MessageLimits(key: "k", maxInFlight: 1))
            try await queue.send(["t"], type: "fetch", limits: MessageLimits(typeMaxInFlight: 1))
            let first = try await queue.deliver(5)
            #expect(first.bodies == ["1", "t"])
            for message in first.messages { try await queue.extend(message.receipt, by: .seconds(60)) }
            clock.advance(by: .seconds(31))  // past the first timeout (30 s), within the extension
            #expect(try await queue.deliver(5).messages.isEmpty, "the extended leases still hold the key and the type")
            try await queue.deadLetter(first.messages[0].receipt, reason: "broken")
            let second = try await queue.deliver(5)
            #expect(second.bodies == ["2"], "the dead letter freed its key at once")
            _ = try await queue.release(second.messages[0].receipt, after: .seconds(5), error: "retry")
            _ = try await queue.release(first.messages[1].receipt, after: .seconds(5), error: "retry")
            #expect(try await queue.deliver(5).bodies == ["3"], "the release freed the key; the released ones wait out their delay")
            clock.advance(by: .seconds(6))
            #expect(try await queue.deliver(5).bodies == ["t"], "the type's message is back, the key still held by 3")
        }
    }

    @Test("a snoozed, given back or reaped delivery frees its key and its type at once; a type limit counts in its own queue only",
          arguments: StoreKind.available)
    func leasesGivenBack(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, store in
            let other = try Queue(name: "other", store: store, options: queue.options)
            try await other.send(["elsewhere"], type: "fetch", limits: MessageLimits(typeMaxInFlight: 1))
            #expect(try await other.deliver(5).bodies == ["elsewhere"])
            try await queue.send(["1", "2", "3", "4"], type: "fetch", limits: MessageLimits(key: "k", maxInFlight: 1, typeMaxInFlight: 1))
            let pool = try await store.write { try await $0.registerPool(name: "p", pid: 1, heartbeat: .seconds(5)) }
            // The snoozed message waits out its minute; the given back one is first again, and so is the reaped one.
            for (step, body) in [("snooze", "1"), ("give back", "2"), ("reap", "2")] {
                let delivery = try await store.receive(queue.request(limit: 5, owner: pool))
                #expect(delivery.bodies == [body], "\(step): the other queue's lease of the type does not count here")
                #expect(try await queue.deliver(5).messages.isEmpty, "\(step): the key and the type are held")
                let receipt = try #require(delivery.messages.first).receipt
                let given: Bool = try await store.write { tx in
                    switch step {
                    case "snooze": return try await tx.snooze(receipt, after: .seconds(60))
                    case "give back": return try await tx.giveBack(receipt)
                    default: return try await tx.releaseLeases(ofPool: pool, reason: "died").count == 1
                    }
                }
                #expect(given, "\(step)")
            }
            #expect(try await queue.deliver(5).bodies == ["2"], "the reaped lease freed the key and the type")
        }
    }

    @Test("a key's rate spaces its starts, keeps its schedule when claims come late, and gives no burst after idling",
          arguments: StoreKind.available)
    func rate(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, clock, _ in
            try await queue.send((1...10).map { "\($0)" }, limits: MessageLimits(key: "host:x", interval: .milliseconds(100)))
            let start = clock.nowMillis()
            #expect(try await queue.deliver(5).bodies == ["1"])
            let held = try await queue.deliver(5)
            #expect(held.messages.isEmpty)
            #expect(held.heldBack)
            #expect(held.rateLimitedUntil == start + 100)
            clock.advance(by: .milliseconds(100))
            #expect(try await queue.deliver(5).bodies == ["2"])
            // 50 ms late: the next start stays on the 100 ms grid (start + 300), so the rate holds on average.
            clock.advance(by: .milliseconds(150))
            #expect(try await queue.deliver(5).bodies == ["3"])
            #expect(try await queue.deliver(5).rateLimitedUntil == start + 300)
            clock.advance(by: .milliseconds(50))
            #expect(try await queue.deliver(5).bodies == ["4"])
            // Idle for a second: one start now, the next a whole interval later (no burst).
            clock.advance(by: .seconds(1))
            #expect(try await queue.deliver(5).bodies == ["5"])
            #expect(try await queue.deliver(5).rateLimitedUntil == clock.nowMillis() + 100)
        }
    }

    @Test("the rate state of an idle key is forgotten by the scheduler's prune, and its next start is unchanged by it",
          arguments: StoreKind.available)
    func pruneIdleKeys(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, clock, store in
            try await queue.send(["1", "2", "3"], limits: MessageLimits(key: "host:x", interval: .seconds(1)))
            let scheduler = try Scheduler(manager: JobManager(queue: queue), schedules: [], clock: clock)
            #expect(try await queue.deliver(5).bodies == ["1"])
            #expect(try await scheduler.pruneLimitKeys() == 0, "its next start is ahead: kept")
            #expect(try await queue.deliver(5).rateLimitedUntil == clock.nowMillis() + 1000)
            clock.advance(by: .seconds(2))
            #expect(try await scheduler.pruneLimitKeys() == 1, "idle: forgotten")
            #expect(try await store.write { try await $0.pruneLimitKeys(before: clock.nowMillis()) } == 0)
            // A forgotten key starts at once, and spaces its starts again from there.
            #expect(try await queue.deliver(5).bodies == ["2"])
            #expect(try await queue.deliver(5).rateLimitedUntil == clock.nowMillis() + 1000)
        }
    }

    @Test("a type's max_in_flight holds across its messages, whatever their keys", arguments: StoreKind.available)
    func typeLimit(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, _, _ in
            try await queue.send(["t1", "t2", "t3"], type: "fetch", limits: MessageLimits(typeMaxInFlight: 2))
            try await queue.send(["k1"], type: "fetch", limits: MessageLimits(key: "k", maxInFlight: 5, typeMaxInFlight: 2))
            try await queue.send(["other"], type: "parse", limits: nil)
            let delivered = try await queue.deliver(10)
            #expect(delivered.bodies == ["t1", "t2", "other"])
            try await queue.delete(delivered.messages[0].receipt)
            #expect(try await queue.deliver(10).bodies == ["t3"])
        }
    }

    @Test("limits hold across handles: another process's leases count", arguments: StoreKind.shared)
    func acrossHandles(_ kind: StoreKind) async throws {
        try await withQueue(kind) { queue, clock, store in
            try await queue.send(["1", "2"], limits: MessageLimits(key: "k", maxInFlight: 1))
            try await withAnotherHandle(on: store, kind: kind, clock: clock) { other in
                let there = try Queue(name: queue.name, store: other, options: queue.options)
                #expect(try await there.deliver(5).bodies == ["1"])
                #expect(try await queue.deliver(5).messages.isEmpty)
            }
        }
    }

    @Test("jobs get their limits from the longest matching prefix, else their own, else none", arguments: StoreKind.available)
    func jobLimits(_ kind: StoreKind) async throws {
        let clock = ManualClock()
        try await withStore(kind, clock: clock) { store in
            let policies = JobPolicies(types: ["crawl": JobTypePolicy(maxInFlight: 9)], limits: [
                try LimitRule(keyPrefix: "host:", limit: FlowLimit(maxInFlight: 1)),
                try LimitRule(keyPrefix: "host:slow", limit: FlowLimit(rate: Rate.parse("1/s"))),
            ])
            let manager = try JobManager(queue: Queue(name: "jobs", store: store), policies: policies)
            let own = try FlowLimit(maxInFlight: 3)
            let specs = [
                JobSpec(type: "crawl", limitKey: "host:a", limit: own),  // a rule matches: the rule wins
                JobSpec(type: "x", limitKey: "host:slow.example"),       // the longest prefix
                JobSpec(type: "x", limitKey: "other", limit: own),       // no rule: its own
                JobSpec(type: "x", limitKey: "nothing"),                 // no rule, none of its own: no limit
            ]
            var limits: [MessageLimits?] = []
            for spec in specs {
                let job = try await manager.createJob(spec)
                limits.append(policies.messageLimits(for: spec))
                #expect(try await store.read { try await $0.messages(.job(job.id)).count } == 1)
            }
            #expect(limits == [
                MessageLimits(key: "host:a", maxInFlight: 1, typeMaxInFlight: 9),
                MessageLimits(key: "host:slow.example", interval: .seconds(1)),
                MessageLimits(key: "other", maxInFlight: 3),
                nil,
            ])
            let error = await #expect(throws: QuaeroError.self) { try await manager.createJob(JobSpec(type: "x", limitKey: "")) }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test("bad limits and policies are refused, naming the value")
    func badValues() {
        #expect(throws: QuaeroError.self) { try FlowLimit(maxInFlight: 0) }
        #expect(throws: QuaeroError.self) { try LimitRule(keyPrefix: "", limit: FlowLimit(maxInFlight: 1)) }
        #expect(throws: QuaeroError.self) { try Rate(count: 0, per: .seconds(1)) }
        #expect(throws: QuaeroError.self) { try Rate(count: 1, per: .zero) }
        for policy in [JobTypePolicy(timeout: .zero), JobTypePolicy(maxReceive: 0), JobTypePolicy(backoffBase: .zero),
                       JobTypePolicy(maxInFlight: 0)] {
            let error = #expect(throws: QuaeroError.self) { try JobPolicies(types: ["t": policy]).validate() }
            #expect(error?.message.contains("types.t.") == true)
        }
    }
}
