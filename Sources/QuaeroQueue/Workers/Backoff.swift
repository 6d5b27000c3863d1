/// Retry delays: exponential from a base up to a cap, with a random part so that failures that happened
/// together do not all retry together.
public struct Backoff: Sendable, Equatable {
    /// The delay after the first failure.
    public var base: Duration
    /// The longest delay.
    public var max: Duration
    /// The random share of each delay (0...1).
    public var jitter: Double

    /// Creates a schedule.
    public init(base: Duration, max: Duration, jitter: Double) {
        self.base = base
        self.max = max
        self.jitter = jitter
    }

    /// The schedule of `options`.
    public init(_ options: WorkerPoolOptions) {
        self.init(base: options.backoffBase, max: options.backoffMax, jitter: options.backoffJitter)
    }

    /// The delay before retrying after failed attempt `attempt` (1-based): `min(max, base · 2^(attempt−1))`,
    /// less up to `jitter` of it, chosen by `random` (a number in 0..<1).
    public func delay(afterAttempt attempt: Int, random: Double) -> Duration {
        let exponent = Swift.min(Swift.max(attempt - 1, 0), 40)
        let full = Swift.min(Double(base.milliseconds) * Double(1 << exponent), Double(max.milliseconds))
        return .milliseconds(Int64((full * (1 - jitter * random)).rounded()))
    }

    /// The delay after `attempt`, with a random jitter.
    public func delay(afterAttempt attempt: Int) -> Duration {
        delay(afterAttempt: attempt, random: Double.random(in: 0..<1))
    }
}
