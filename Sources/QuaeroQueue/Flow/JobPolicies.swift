/// The policy of one job type (`[types.NAME]`): each value replaces the queue's or the pool's for that type.
public struct JobTypePolicy: Sendable, Hashable {
    /// Its run timeout: a handler still running then is cancelled and the attempt fails.
    public var timeout: Duration?
    /// Its deliveries before a message that is still not done is dead-lettered.
    public var maxReceive: Int?
    /// Its first retry delay.
    public var backoffBase: Duration?
    /// Its longest retry delay.
    public var backoffMax: Duration?
    /// At most this many of its jobs in flight at once in the queue, across every process.
    public var maxInFlight: Int?

    /// Creates a policy; nil keeps the general value.
    public init(timeout: Duration? = nil, maxReceive: Int? = nil, backoffBase: Duration? = nil, backoffMax: Duration? = nil,
                maxInFlight: Int? = nil) {
        self.timeout = timeout
        self.maxReceive = maxReceive
        self.backoffBase = backoffBase
        self.backoffMax = backoffMax
        self.maxInFlight = maxInFlight
    }
}

/// Flow control of a job manager (DESIGN §8): per-type policies and the limits of limit keys by prefix.
///
/// The limits a job gets are written into its message when it is created, so every process honours the
/// same limits for it, whatever its own configuration says; changed limits apply to jobs created after.
public struct JobPolicies: Sendable, Hashable {
    /// Policies by job type.
    public var types: [JobType: JobTypePolicy]
    /// Limits by key prefix; the longest prefix that matches a key gives its limits.
    public var limits: [LimitRule]

    /// Creates policies; none by default.
    public init(types: [JobType: JobTypePolicy] = [:], limits: [LimitRule] = []) {
        self.types = types
        self.limits = limits
    }

    /// The limits of limit key `key`: the rule with the longest matching prefix, else `fallback`.
    public func limit(forKey key: String, fallback: FlowLimit? = nil) -> FlowLimit? {
        limits.filter { key.hasPrefix($0.keyPrefix) }.max { $0.keyPrefix.count < $1.keyPrefix.count }?.limit ?? fallback
    }

    /// The max_receive of `type`, if it has its own.
    func maxReceive(of type: JobType) -> Int? { types[type]?.maxReceive }

    /// `maxReceive` of the types that have their own, for a claim.
    var maxReceiveByType: [String: Int] {
        types.reduce(into: [:]) { map, entry in
            if let maxReceive = entry.value.maxReceive { map[entry.key.rawValue] = maxReceive }
        }
    }

    /// The limits the message of `spec` carries; nil when none applies.
    func messageLimits(for spec: JobSpec) -> MessageLimits? {
        let keyLimit = spec.limitKey.flatMap { limit(forKey: $0, fallback: spec.limit) }.flatMap { $0.isEmpty ? nil : $0 }
        let limits = MessageLimits(key: keyLimit == nil ? nil : spec.limitKey, maxInFlight: keyLimit?.maxInFlight,
                                   interval: keyLimit?.rate?.interval, typeMaxInFlight: types[spec.type]?.maxInFlight)
        return limits.isEmpty ? nil : limits
    }

    /// Checks every value; throws `invalidArgument` naming the first bad one.
    public func validate() throws {
        for (type, policy) in types {
            let positive: [(String, Duration?)] = [("timeout", policy.timeout), ("backoff_base", policy.backoffBase),
                                                   ("backoff_max", policy.backoffMax)]
            for case let (name, value?) in positive where value <= .zero {
                throw QuaeroError(.invalidArgument, "types.\(type).\(name) must be positive, got \(value)")
            }
            if let maxReceive = policy.maxReceive, maxReceive < 1 {
                throw QuaeroError(.invalidArgument, "types.\(type).max_receive must be at least 1, got \(maxReceive)")
            }
            if let maxInFlight = policy.maxInFlight, maxInFlight < 1 {
                throw QuaeroError(.invalidArgument, "types.\(type).max_in_flight must be at least 1, got \(maxInFlight)")
            }
        }
    }
}
