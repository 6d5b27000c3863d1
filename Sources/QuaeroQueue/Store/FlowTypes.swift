/// The limits a message carries (DESIGN §8), given by its sender: the claim skips the message while one
/// of them is saturated, without leasing it.
public struct MessageLimits: Sendable, Hashable {
    /// Its limit key (`host:example.com`), shared with other messages of any queue.
    public var key: String?
    /// At most this many messages of `key` in flight at once (nil: no such limit).
    public var maxInFlight: Int?
    /// At least this long between two starts of messages of `key`, on average (nil: no rate).
    public var interval: Duration?
    /// At most this many messages of its type in flight at once in its queue (nil: no such limit).
    public var typeMaxInFlight: Int?

    /// Creates limits; a message with none of them set carries no limits.
    public init(key: String? = nil, maxInFlight: Int? = nil, interval: Duration? = nil, typeMaxInFlight: Int? = nil) {
        self.key = key
        self.maxInFlight = maxInFlight
        self.interval = interval
        self.typeMaxInFlight = typeMaxInFlight
    }

    /// Whether the claim has anything to check.
    public var isEmpty: Bool { key == nil && typeMaxInFlight == nil }
}

/// What of a queue is paused: claims skip it (sends still land).
public struct QueuePause: Sendable, Hashable {
    /// The whole queue.
    public var queue: Bool
    /// These message types in it.
    public var types: Set<String>

    /// Creates the state; nothing paused by default.
    public init(queue: Bool = false, types: Set<String> = []) {
        self.queue = queue
        self.types = types
    }

    /// Whether anything is paused.
    public var isEmpty: Bool { !queue && types.isEmpty }

    /// Whether a message of `type` may be claimed.
    public func allows(type: String?) -> Bool {
        !queue && (type.map { !types.contains($0) } ?? true)
    }
}

/// A named lease that one process holds at a time, for work that must run once across every process
/// sharing the store (the schedules, and on PostgreSQL the leader's chores, DESIGN §13).
public struct LeaderLease: Sendable, Hashable {
    /// What it is for (`scheduler`).
    public let name: String
    /// Who holds it (host, process id and a random part).
    public let holder: String
    /// When this holder took it (store time, UTC milliseconds).
    public let acquiredAt: Int64
    /// When it lapses unless renewed (store time, UTC milliseconds).
    public let expiresAt: Int64

    /// Creates the record (as a store reads it).
    public init(name: String, holder: String, acquiredAt: Int64, expiresAt: Int64) {
        self.name = name
        self.holder = holder
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
    }
}

/// What a store keeps of one schedule (its definition lives in the configuration).
public struct ScheduleState: Sendable, Hashable {
    /// The schedule's name.
    public let name: String
    /// Whether it is paused (its fire times are skipped).
    public let paused: Bool
    /// The latest fire time handled: fired, or skipped by its catch-up policy or a pause (UTC milliseconds).
    public let watermark: Int64
    /// When it last created a job, if ever (UTC milliseconds).
    public let lastFireAt: Int64?
    /// The last job it created, if any.
    public let lastJobID: String?

    /// Creates the record (as a store reads it).
    public init(name: String, paused: Bool, watermark: Int64, lastFireAt: Int64?, lastJobID: String?) {
        self.name = name
        self.paused = paused
        self.watermark = watermark
        self.lastFireAt = lastFireAt
        self.lastJobID = lastJobID
    }
}

extension QueuePause {
    /// How long a store may take to honour a pause or resume made through another handle (another process):
    /// it may cache the pauses that long. Shorter than any sensible poll interval, so that every process
    /// stops claiming within one.
    public static let staleness = Duration.milliseconds(50)
}
