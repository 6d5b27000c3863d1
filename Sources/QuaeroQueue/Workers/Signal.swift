import Synchronization

/// Why a running handler was told to stop.
enum StopReason: Sendable, Equatable {
    /// Someone cancelled its job.
    case cancelled
    /// The pool is stopping and the shutdown timeout passed.
    case shutdown
    /// Its lease was lost (it expired and another worker took the message, or a pool released it).
    case leaseLost
    /// It ran past its run timeout.
    case timedOut(Duration)
}

/// A one-shot signal: fired once with a value, awaited by any number of tasks (each may give up by being
/// cancelled).
package final class Signal<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiters: [Int: CheckedContinuation<Value?, Never>] = [:]
        var nextID = 0
    }
    private let state = Mutex(State())

    /// Creates an unfired signal.
    package init() {}

    /// Fires the signal (the first value wins) and wakes every waiter.
    package func fire(_ value: Value) {
        let waiters = state.withLock { s -> [CheckedContinuation<Value?, Never>] in
            guard s.value == nil else { return [] }
            s.value = value
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    /// Waits for the signal; nil when the waiting task is cancelled first.
    package func wait() async -> Value? {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now: Value?? = state.withLock { s in
                    if let value = s.value { return .some(value) }
                    if Task.isCancelled { return .some(nil) }
                    s.waiters[id] = continuation
                    return .none
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }
}

/// Tells one running attempt to stop.
typealias CancelSignal = Signal<StopReason>

/// The attempts running in this process, by job id, so that `JobManager.cancel` can stop them at once.
final class RunningJobs: Sendable {
    private let signals = Mutex<[String: CancelSignal]>([:])

    /// Records the running attempt of `jobID`; returns the attempt it replaces, if one still ran.
    func insert(_ jobID: String, _ signal: CancelSignal) -> CancelSignal? {
        signals.withLock { map in
            defer { map[jobID] = signal }
            return map[jobID]
        }
    }

    /// Forgets the attempt of `jobID` that `signal` stops (and not a newer attempt of the job).
    func remove(_ jobID: String, _ signal: CancelSignal) {
        signals.withLock { map in
            if map[jobID] === signal { map[jobID] = nil }
        }
    }

    /// Fires `reason` on every running attempt of `jobIDs`.
    func stop(_ jobIDs: [String], reason: StopReason) {
        let found = signals.withLock { map in jobIDs.compactMap { map[$0] } }
        for signal in found { signal.fire(reason) }
    }
}
