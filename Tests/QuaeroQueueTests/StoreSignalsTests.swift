import Foundation
import QuaeroQueue
import Synchronization
import Testing

@Suite("StoreSignals")
struct StoreSignalsTests {
    @Test("an observation is notified of its queue's posts and of postAll, not of other queues', and no more once cancelled or released")
    func observations() {
        let signals = StoreSignals()
        let calls = Atomic(0), others = Atomic(0), released = Atomic(0)
        let observation = signals.observe(queue: "q") { calls.add(1, ordering: .relaxed) }
        let other = signals.observe(queue: "r") { others.add(1, ordering: .relaxed) }
        do {
            let dropped = signals.observe(queue: "q") { released.add(1, ordering: .relaxed) }
            signals.post(queue: "q")
            withExtendedLifetime(dropped) {}
        }
        signals.post(queue: "q")
        signals.postAll()
        #expect(calls.load(ordering: .relaxed) == 3)
        #expect(others.load(ordering: .relaxed) == 1, "only postAll reaches another queue's observer")
        #expect(released.load(ordering: .relaxed) == 1, "a released observation hears nothing more")
        observation.cancel()
        signals.post(queue: "q")
        #expect(calls.load(ordering: .relaxed) == 3)
        withExtendedLifetime(other) {}
    }

    /// The deadlock behind a frozen `quaero serve` (2026-11-28): `post` yielded while holding its lock, a yield
    /// takes the waiting task's status lock, and cancelling a task holds that lock while the stream's
    /// termination handler takes `post`'s lock to unsubscribe. Here one thread posts without pause while another
    /// cancels tasks that wait on subscriptions. Both run on threads of their own, so a deadlock leaves the
    /// test's own concurrency threads free to report it instead of hanging the run.
    @Test("posting while waiting subscribers are cancelled never deadlocks")
    func postRacesCancellation() async throws {
        let signals = StoreSignals()
        let race = Race()
        let rounds = 300, perRound = 40
        Thread.detachNewThread {
            while !race.stop.load(ordering: .relaxed) { signals.post(queue: "q") }
            race.finished.add(1, ordering: .relaxed)
        }
        Thread.detachNewThread {
            for _ in 0..<rounds {
                let round = Race()
                let tasks = (0..<perRound).map { _ in
                    let stream = signals.subscribe(queue: "q")
                    return Task {
                        round.started.add(1, ordering: .relaxed)
                        for await _ in stream {}
                    }
                }
                // Cancel once every task has begun to iterate (so most wait in `next()` when cancelled).
                while round.started.load(ordering: .relaxed) < perRound { sched_yield() }
                for task in tasks { task.cancel() }
            }
            race.stop.store(true, ordering: .relaxed)
            race.finished.add(1, ordering: .relaxed)
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while race.finished.load(ordering: .relaxed) < 2 {
            guard ContinuousClock.now < deadline else {
                Issue.record("the poster and the canceller did not finish within 60 s: they deadlocked")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// Flags shared by the racing threads.
private final class Race: Sendable {
    let stop = Atomic(false)
    /// The threads that finished.
    let finished = Atomic(0)
    /// The tasks of a round that began to iterate their subscription.
    let started = Atomic(0)
}
