public import QuaeroQueue

/// The JSON shape of a schedule (DESIGN §10): `{"name", "cron", "type", "time_zone", "catch_up", "enabled",
/// "next_fire_at", "last_fire_at", "last_job_id"}`, plus `"paused"`, `"last_job_status"` and `"config"`.
public struct ScheduleJSON: Encodable, Sendable {
    let name: String
    let cron: String
    let type: String
    let timeZone: String
    let catchUp: String
    let enabled: Bool
    let paused: Bool
    let nextFireAt: String?
    let lastFireAt: String?
    let lastJobID: String?
    let lastJobStatus: String?
    let config: [String: JSONValue]

    /// The JSON form of `status`.
    public init(_ status: ScheduleStatus) {
        let definition = status.definition
        name = definition.name
        cron = definition.cron.expression
        type = definition.type.userName
        timeZone = definition.timeZoneName
        catchUp = definition.catchUp.rawValue
        enabled = definition.enabled
        paused = status.paused
        nextFireAt = status.nextFireAt.map(APIJSON.timestamp)
        lastFireAt = status.lastFireAt.map(APIJSON.timestamp)
        lastJobID = status.lastJobID
        lastJobStatus = status.lastJobStatus?.rawValue
        config = definition.config
    }

    enum CodingKeys: String, CodingKey {
        case name, cron, type, timeZone = "time_zone", catchUp = "catch_up", enabled, paused, nextFireAt = "next_fire_at",
             lastFireAt = "last_fire_at", lastJobID = "last_job_id", lastJobStatus = "last_job_status", config
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(cron, forKey: .cron)
        try container.encode(type, forKey: .type)
        try container.encode(timeZone, forKey: .timeZone)
        try container.encode(catchUp, forKey: .catchUp)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(paused, forKey: .paused)
        // Written even when nil, so that every key is always present.
        try container.encode(nextFireAt, forKey: .nextFireAt)
        try container.encode(lastFireAt, forKey: .lastFireAt)
        try container.encode(lastJobID, forKey: .lastJobID)
        try container.encode(lastJobStatus, forKey: .lastJobStatus)
        try container.encode(config, forKey: .config)
    }
}
