@testable import QuaeroQueue
import Testing

@Suite("SlotState")
struct SlotStateTests {
    @Test("reserves every free slot and refills as slots end")
    func reserveAndRefill() {
        var state = SlotState(concurrency: 3)
        let first = state.reserve()
        #expect(first?.count == 3)
        state.received(reserved: 3, got: 3, generation: first?.generation)
        #expect(state.reserve() == nil, "no free slot")
        #expect(state.refill() != nil, "a full receive means more may wait")
        #expect(state.slotEnded(lookedAt: state.refill(), gotNext: true) == false)
        #expect(state.slotEnded(lookedAt: state.refill(), gotNext: false) == false, "the queue was empty")
        #expect(state.refill() == nil)
        #expect(state.wake() == true, "a wake-up with a free slot rings")
    }

    @Test("a short receive that began before a wake-up does not lose it")
    func noLostWakeup() {
        var state = SlotState(concurrency: 2)
        let look = state.reserve()!
        _ = state.wake()  // a send commits while the receive runs
        state.received(reserved: look.count, got: 0, generation: look.generation)
        #expect(state.reserve()?.count == 2, "the pool looks again")
    }

    @Test("stopping ends receiving")
    func stopping() {
        var state = SlotState(concurrency: 1)
        state.stop()
        #expect(state.reserve() == nil)
        #expect(state.wake() == false)
        #expect(state.refill() == nil)
    }

    @Test("a suspect runs alone: it waits for running handlers, blocks receiving, and a second one is given back")
    func solo() {
        var state = SlotState(concurrency: 3)
        let look = state.reserve()!
        state.received(reserved: look.count, got: 3, generation: look.generation)
        state.beginNormal()
        #expect(state.requestSolo() == .wait)
        #expect(state.requestSolo() == .giveBack)
        #expect(state.refill() == nil, "nothing new is received while a suspect waits")
        #expect(state.endNormal() == true, "the last running handler admits the suspect")
        #expect(state.soloHeld)
        _ = state.slotEnded(lookedAt: nil, gotNext: false)
        #expect(state.reserve() == nil, "nothing new is received while it runs")
        #expect(state.endSolo() == true)
        #expect(state.refill() != nil)
    }
}
