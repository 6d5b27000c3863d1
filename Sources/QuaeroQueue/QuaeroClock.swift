import Foundation

/// The time source of the engine: wall-clock milliseconds for stored times, and sleeping for tickers.
///
/// Tests pass a manual clock so that delays, leases, backoff and flushes are exercised without waiting.
public protocol QuaeroClock: Sendable {
    /// Now, as UTC milliseconds since the epoch.
    func nowMillis() -> Int64
    /// Suspends for `duration` of this clock's time; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
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
