public import QuaeroQueue

/// The database server's clock as seen from this process: the system clock plus the offset measured when the
/// store opened. The store stamps and compares times with the server's `now()`; this clock lets the engine's
/// own times (event timestamps, cleanup cutoffs, the leader's expiry) agree with them across machines whose
/// clocks differ.
public struct DatabaseClock: QuaeroClock {
    /// Server time minus this machine's time, in milliseconds.
    public let offset: Int64
    private let system = SystemClock()

    /// Creates the clock with a measured offset.
    public init(offset: Int64) { self.offset = offset }

    public func nowMillis() -> Int64 { system.nowMillis() + offset }

    public func sleep(for duration: Duration) async throws {
        try await system.sleep(for: duration)
    }
}
