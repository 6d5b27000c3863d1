public import QuaeroQueue
import Synchronization

/// A clock that moves only when a test advances it; sleepers wake when their deadline is reached.
public final class ManualClock: QuaeroClock {
    private struct Sleeper {
        let deadline: Int64
        let continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var now: Int64
        var sleepers: [Int: Sleeper] = [:]
        var nextID = 0
    }
    private let state: Mutex<State>

    /// Creates a clock at `start` milliseconds since the epoch (2026-01-01 by default).
    public init(start: Int64 = 1_767_225_600_000) {
        state = Mutex(State(now: start))
    }

    public func nowMillis() -> Int64 { state.withLock { $0.now } }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        let due: [CheckedContinuation<Void, any Error>] = state.withLock { s in
            s.now += duration.milliseconds
            let ready = s.sleepers.filter { $0.value.deadline <= s.now }
            for id in ready.keys { s.sleepers[id] = nil }
            return ready.values.map(\.continuation)
        }
        for continuation in due { continuation.resume() }
    }

    public func sleep(for duration: Duration) async throws {
        try await sleep(until: nowMillis() + duration.milliseconds)
    }

    public func sleep(until deadline: Int64) async throws {
        let id = state.withLock { s -> Int in s.nextID += 1; return s.nextID }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLock { s in
                    if Task.isCancelled { return true }
                    if deadline <= s.now { return true }
                    s.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }
}
