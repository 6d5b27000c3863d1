@testable import QuaeroQueue
import Testing

@Suite("WorkerPoolState")
struct WorkerPoolStateTests {
    private static func receipts(_ n: Int, from first: Int64 = 1) -> [Receipt] {
        (0..<Int64(n)).map { Receipt(messageID: first + $0, lease: 7) }
    }

    @Test("reserves every free slot and refills as slots end")
    func reserveAndRefill() {
        var state = WorkerPoolState<Int>(concurrency: 3)
        let first = state.reserve()
        #expect(first?.count == 3)
        let held = Self.receipts(3)
        state.claimed(reserved: 3, got: held, generation: first?.generation)
        #expect(state.held == Set(held))
        #expect(state.reserve() == nil, "no free slot")
        #expect(state.refill() != nil, "a full claim means more may wait")
        #expect(state.slotEnded(held[0], lookedAt: state.refill(), next: Self.receipts(1, from: 10)) == false)
        #expect(state.held == Set(held[1...] + Self.receipts(1, from: 10)), "the next delivery is held instead")
        #expect(state.slotEnded(held[1], lookedAt: state.refill(), next: []) == false, "the queue was empty")
        #expect(state.refill() == nil)
        #expect(state.wake() == true, "a wake-up with a free slot rings")
    }

    @Test("a short claim that began before a wake-up does not lose it")
    func noLostWakeup() {
        var state = WorkerPoolState<Int>(concurrency: 2)
        let look = state.reserve()!
        _ = state.wake()  // a send commits while the claim runs
        state.claimed(reserved: look.count, got: [], generation: look.generation)
        #expect(state.reserve()?.count == 2, "the pool looks again")
    }

    @Test("stopping ends claiming, and a waiting suspect gives up")
    func stopping() {
        var state = WorkerPoolState<Int>(concurrency: 2)
        let look = state.reserve()!
        state.claimed(reserved: look.count, got: Self.receipts(2), generation: look.generation)
        state.beginNormal()
        #expect(state.requestSolo(waiter: 42) == .wait)
        #expect(state.stop() == 42, "the waiting suspect's waiter is handed back")
        #expect(state.reserve() == nil)
        #expect(state.wake() == false)
        #expect(state.refill() == nil)
        #expect(state.endNormal() == nil, "nothing waits any more")
    }

    @Test("a suspect runs alone: it waits for running handlers, blocks claiming, and a second one is given back")
    func solo() {
        var state = WorkerPoolState<Int>(concurrency: 3)
        let look = state.reserve()!
        let held = Self.receipts(3)
        state.claimed(reserved: look.count, got: held, generation: look.generation)
        state.beginNormal()
        #expect(state.requestSolo(waiter: 1) == .wait)
        #expect(state.requestSolo(waiter: 2) == .giveBack)
        #expect(state.refill() == nil, "nothing new is claimed while a suspect waits")
        #expect(state.endNormal() == 1, "the last running handler admits the suspect")
        _ = state.slotEnded(held[0], lookedAt: nil, next: [])
        #expect(state.reserve() == nil, "nothing new is claimed while it runs")
        #expect(state.endSolo() == true)
        #expect(state.refill() != nil)
    }

    @Test("a suspect with nothing else running runs at once")
    func soloAtOnce() {
        var state = WorkerPoolState<Int>(concurrency: 2)
        #expect(state.requestSolo(waiter: 1) == .now)
        #expect(state.requestSolo(waiter: 2) == .giveBack)
    }
}
