public import Foundation

/// What a schedule fires after a downtime (or a leader's failover) made it miss fire times.
public enum CatchUp: String, Sendable, Hashable, CaseIterable {
    /// Fire the latest missed time only.
    case latest
    /// Fire every missed time (at most `Scheduler.Options.maxCatchUp` per look).
    case all
    /// Fire none of those missed by more than `Scheduler.Options.grace`.
    case none
}

/// A cron schedule (`[[schedule]]`): at each fire time, one job of `type` with `config` is created, whatever
/// the number of processes.
public struct ScheduleDefinition: Sendable, Hashable {
    /// The longest name accepted.
    public static let maxNameLength = 100

    /// Its name: letters, digits, `_`, `-` and `.` (it appears in URLs and job keys).
    public let name: String
    /// When it fires.
    public let cron: CronSchedule
    /// The job type it creates.
    public let type: JobType
    /// The config of each job it creates.
    public let config: [String: JSONValue]
    /// The time zone of its wall-clock fire times.
    public let timeZone: TimeZone
    /// What it fires after missed fire times.
    public let catchUp: CatchUp
    /// Whether it fires at all (a disabled schedule is listed, never fired).
    public let enabled: Bool

    /// Creates a schedule.
    ///
    /// - Throws: `invalidArgument` for a bad name.
    public init(name: String, cron: CronSchedule, type: JobType, config: [String: JSONValue] = [:],
                timeZone: TimeZone = TimeZone(identifier: "UTC")!, catchUp: CatchUp = .latest, enabled: Bool = true) throws {
        try Self.validate(name: name)
        self.name = name
        self.cron = cron
        self.type = type
        self.config = config
        self.timeZone = timeZone
        self.catchUp = catchUp
        self.enabled = enabled
    }

    /// The time zone's name (`UTC` where Foundation says `GMT`).
    public var timeZoneName: String { timeZone.identifier == "GMT" ? "UTC" : timeZone.identifier }

    /// Checks a schedule name.
    public static func validate(name: String) throws {
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_-.".unicodeScalars.contains($0)) }
        guard !name.isEmpty, name.count <= maxNameLength, allowed else {
            throw QuaeroError(.invalidArgument,
                "schedule name \"\(name)\" must be 1 to \(maxNameLength) letters, digits, _, - or . (it appears in URLs and job keys)")
        }
    }

    /// The time zone named `identifier` (IANA, such as `Europe/Paris`).
    ///
    /// - Throws: `invalidArgument` for an unknown zone.
    public static func timeZone(_ identifier: String) throws -> TimeZone {
        guard let zone = TimeZone(identifier: identifier) else {
            throw QuaeroError(.invalidArgument, "unknown time zone \"\(identifier)\"; give an IANA name such as UTC or Europe/Paris")
        }
        return zone
    }

    /// The unique key of its job for fire time `fire` (UTC milliseconds): the same in every process.
    func jobKey(fire: Int64) -> String { "schedule:\(name):\(fire)" }

    /// What to fire of the fire times `due` (oldest first) at `now`, by the catch-up policy: missed times are
    /// those more than `grace` late.
    func toFire(_ due: [Int64], now: Int64, grace: Duration) -> [Int64] {
        switch catchUp {
        case .all: return due
        case .latest: return due.last.map { [$0] } ?? []
        case .none: return due.filter { now - $0 <= grace.milliseconds }
        }
    }
}

/// A schedule as `quaero schedules list` shows it: its definition and what the store keeps of it.
public struct ScheduleStatus: Sendable, Hashable {
    /// The definition.
    public let definition: ScheduleDefinition
    /// Whether it is paused (in the store).
    public let paused: Bool
    /// Its next fire time after now, if any (UTC milliseconds); nil when disabled or paused.
    public let nextFireAt: Int64?
    /// When it last created a job, if ever.
    public let lastFireAt: Int64?
    /// The last job it created, if any.
    public let lastJobID: String?
    /// That job's status, if it still exists.
    public let lastJobStatus: JobStatus?
}
