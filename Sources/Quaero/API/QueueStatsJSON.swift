public import QuaeroQueue

/// The JSON shape of queue stats (DESIGN §9): `{"queue", "ready", "delayed", "in_flight", "dead",
/// "oldest_ready_age_s", "paused": {"queue": bool, "types": [type]}, "by_type": {type: {"ready", "delayed",
/// "in_flight", "dead"}}}`.
public struct QueueStatsJSON: Encodable, Sendable {
    /// The counts of one message type.
    public struct Counts: Encodable, Sendable {
        let ready, delayed, inFlight, dead: Int

        init(_ counts: QueueStats.Counts) {
            (ready, delayed, inFlight, dead) = (counts.ready, counts.delayed, counts.inFlight, counts.dead)
        }

        enum CodingKeys: String, CodingKey {
            case ready, delayed, inFlight = "in_flight", dead
        }
    }

    let queue: String
    let totals: Counts
    let oldestReadyAgeSeconds: Double?
    let byType: [String: Counts]
    let paused: Paused

    /// What is paused: the whole queue, and these message types in it.
    public struct Paused: Encodable, Sendable {
        let queue: Bool
        let types: [String]

        /// Creates the shape.
        public init(queue: Bool, types: [String]) {
            self.queue = queue
            self.types = types
        }
    }

    /// The JSON form of `stats`.
    public init(_ stats: QueueStats) {
        queue = stats.queue
        totals = Counts(stats.totals)
        oldestReadyAgeSeconds = stats.oldestReadyAgeSeconds
        byType = stats.byType.mapValues(Counts.init)
        paused = Paused(queue: stats.paused.queue, types: stats.paused.types.sorted())
    }

    enum CodingKeys: String, CodingKey {
        case queue, oldestReadyAgeSeconds = "oldest_ready_age_s", byType = "by_type", paused
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(queue, forKey: .queue)
        try totals.encode(to: encoder)
        // Written even when nil, so the key is always present.
        try container.encode(oldestReadyAgeSeconds, forKey: .oldestReadyAgeSeconds)
        try container.encode(byType, forKey: .byType)
        try container.encode(paused, forKey: .paused)
    }
}
