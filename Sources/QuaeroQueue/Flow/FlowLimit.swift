/// How often something may start: `count` starts per `period`, spread evenly (`10/s` is one start every
/// 100 ms, without bursts).
public struct Rate: Sendable, Hashable, CustomStringConvertible {
    /// Starts per period (≥ 1).
    public let count: Int
    /// The period (positive).
    public let period: Duration

    /// Creates a rate.
    ///
    /// - Throws: `invalidArgument` for a count below 1 or a period that is not positive.
    public init(count: Int, per period: Duration) throws {
        guard count >= 1 else { throw QuaeroError(.invalidArgument, "a rate needs at least 1 start per period, got \(count)") }
        guard period > .zero else { throw QuaeroError(.invalidArgument, "a rate's period must be positive, got \(period)") }
        self.count = count
        self.period = period
    }

    /// The time between two starts (at least 1 ms).
    public var interval: Duration { max(.milliseconds(1), period / count) }

    public var description: String { text }
}

/// The limits of one limit key: how many of its jobs may run at once across every process, and how often
/// one may start.
public struct FlowLimit: Sendable, Hashable {
    /// At most this many in flight at once (nil: any number); 1 runs the key's jobs one at a time.
    public var maxInFlight: Int?
    /// At most this rate of starts (nil: any).
    public var rate: Rate?

    /// Creates limits.
    ///
    /// - Throws: `invalidArgument` for a `maxInFlight` below 1.
    public init(maxInFlight: Int? = nil, rate: Rate? = nil) throws {
        if let maxInFlight, maxInFlight < 1 {
            throw QuaeroError(.invalidArgument, "max_in_flight must be at least 1, got \(maxInFlight)")
        }
        self.maxInFlight = maxInFlight
        self.rate = rate
    }

    /// Whether it limits anything.
    public var isEmpty: Bool { maxInFlight == nil && rate == nil }
}

/// The limits of every limit key that starts with `keyPrefix` (a `[[limits]]` entry).
public struct LimitRule: Sendable, Hashable {
    /// Keys starting with this (`host:`, or a whole key such as `host:example.com`).
    public let keyPrefix: String
    /// Their limits.
    public let limit: FlowLimit

    /// Creates a rule.
    ///
    /// - Throws: `invalidArgument` for an empty prefix.
    public init(keyPrefix: String, limit: FlowLimit) throws {
        guard !keyPrefix.isEmpty else { throw QuaeroError(.invalidArgument, "a limit's key_prefix is empty; give one, such as \"host:\"") }
        self.keyPrefix = keyPrefix
        self.limit = limit
    }
}

extension Rate {
    /// What `parse` accepts, for error messages.
    public static let allowed = "starts per period, such as \"10/s\", \"1/500ms\" or \"100/m\""

    /// Parses `count/period`: `10/s`, `1/500ms`, `100/m`, `5/2s` (a period without a number is one unit).
    ///
    /// - Throws: `invalidArgument` saying what is wrong.
    public static func parse(_ text: String) throws -> Rate {
        let parts = text.trimmingWhitespace().split(separator: "/", omittingEmptySubsequences: false)
        let bad = { (problem: String) in QuaeroError(.invalidArgument, "rate \"\(text)\" \(problem); write \(allowed)") }
        guard parts.count == 2 else { throw bad("is not count/period") }
        guard let count = Int(parts[0].trimmingWhitespace()), count >= 1 else { throw bad("needs a whole count of at least 1") }
        var unit = parts[1].trimmingWhitespace()
        if let first = unit.first, !first.isNumber { unit = "1" + unit }
        guard let period = DurationText.parse(unit), period > .zero else { throw bad("has no positive period") }
        return try Rate(count: count, per: period)
    }

    /// The rate as `parse` reads it, such as `10/1s`.
    public var text: String { "\(count)/\(DurationText.format(period))" }
}
