import Foundation

/// The time source of the engine: wall-clock milliseconds for stored times, and sleeping for tickers.
///
/// Tests pass a manual clock so that delays, leases, backoff and flushes are exercised without waiting.
public protocol QuaeroClock: Sendable {
    /// Now, as UTC milliseconds since the epoch.
    func nowMillis() -> Int64
    /// Suspends for `duration` of this clock's time; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
    /// Suspends until this clock reads `deadline` (UTC milliseconds), at once when it already has; throws
    /// `CancellationError` when the task is cancelled.
    func sleep(until deadline: Int64) async throws
}

extension QuaeroClock {
    public func sleep(until deadline: Int64) async throws {
        try await sleep(for: .milliseconds(max(0, deadline - nowMillis())))
    }

    /// Runs `body` every `interval` from `start` (UTC milliseconds) on a fixed schedule, until the task is
    /// cancelled: a tick that comes late does not shift the next ones, and a tick missed while `body` ran (or
    /// while a test moved a manual clock ahead) runs at once. Deadlines make a loop independent of when it
    /// gets to sleep: a test can move a manual clock without first waiting for the loop to be asleep. After a
    /// long stall (more than three intervals) the schedule starts again from now instead of catching up.
    public func every(_ interval: Duration, from start: Int64, _ body: () async -> Void) async {
        let step = max(1, interval.milliseconds)
        var next = start + step
        while true {
            do { try await sleep(until: next) } catch { return }
            await body()
            next += step
            let now = nowMillis()
            if now - next > 3 * step { next = now }
        }
    }
}

/// The real clock.
public struct SystemClock: QuaeroClock {
    /// Creates the real clock.
    public init() {}

    public func nowMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}

extension Duration {
    /// The duration in whole milliseconds (rounded down).
    public var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
