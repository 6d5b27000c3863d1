import Synchronization

/// The pool's ticker: it wakes the pool every poll interval, and also at times a claim asked for (when a
/// limit key held back by its rate may start next), so that a rate faster than the poll interval is kept.
final class WakeTimer: Sendable {
    private struct State {
        /// The earliest time asked for, not reached yet.
        var hint: Int64?
        /// Fired when an earlier time is asked for, so that the sleeping loop looks again.
        var nudge = Signal<Bool>()
    }
    private let state = Mutex(State())

    /// Asks for a wake-up at `time` (the clock's UTC milliseconds), unless an earlier one is already asked for.
    func request(at time: Int64) {
        let nudge: Signal<Bool>? = state.withLock { s in
            guard s.hint.map({ time < $0 }) ?? true else { return nil }
            s.hint = time
            defer { s.nudge = Signal() }
            return s.nudge
        }
        nudge?.fire(true)
    }

    /// Runs `body` every `interval` from `start` on a fixed schedule (as `QuaeroClock.every`) and at each time
    /// asked for with `request(at:)`, until the task is cancelled.
    func run(clock: any QuaeroClock, every interval: Duration, from start: Int64, _ body: () async -> Void) async {
        let step = max(1, interval.milliseconds)
        var tick = start + step
        while true {
            let (hint, nudge) = state.withLock { ($0.hint, $0.nudge) }
            let deadline = min(tick, hint ?? .max)
            switch await Self.sleep(clock, until: deadline, unless: nudge) {
            case nil:
                return
            case false?:
                continue  // an earlier time was asked for
            case true?:
                let now = clock.nowMillis()
                state.withLock { s in if let hint = s.hint, hint <= now { s.hint = nil } }
                if tick <= now {
                    tick += step
                    if now - tick > 3 * step { tick = now }
                }
                await body()
            }
        }
    }

    /// Sleeps until `deadline`: true when it was reached, false when `nudge` fired first, nil when cancelled.
    private static func sleep(_ clock: any QuaeroClock, until deadline: Int64, unless nudge: Signal<Bool>) async -> Bool? {
        await withTaskGroup(of: Bool?.self) { group in
            group.addTask {
                do { try await clock.sleep(until: deadline) } catch { return nil }
                return true
            }
            group.addTask { await nudge.wait() == nil ? nil : false }
            let first = await group.next() ?? nil
            group.cancelAll()
            return Task.isCancelled ? nil : first
        }
    }
}
