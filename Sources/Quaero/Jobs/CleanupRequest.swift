public import QuaeroQueue

/// What a `cleanup` job deletes: `{"age_threshold_days": N, "status_filter": ["completed", ...]}`, jobs
/// that finished more than N days ago with one of those statuses (with their children and logs).
public struct CleanupRequest: Sendable, Equatable {
    /// Jobs that finished longer ago than this many days are deleted.
    public var ageThresholdDays: Int
    /// Only jobs with one of these statuses are deleted.
    public var statusFilter: [String]

    /// The statuses a cleanup may delete: finished ones. Pending and running jobs are never deleted by age.
    public static let deletableStatuses = ["completed", "failed", "cancelled"]
    /// The JSON keys a cleanup config may have.
    public static let keys = ["age_threshold_days", "status_filter"]

    /// Creates a request; by default completed and cancelled jobs older than 30 days (failed ones are kept
    /// for inspection unless asked for).
    public init(ageThresholdDays: Int = 30, statusFilter: [String] = ["completed", "cancelled"]) {
        self.ageThresholdDays = ageThresholdDays
        self.statusFilter = statusFilter
    }

    /// Reads a cleanup config; missing keys keep their defaults.
    /// - Throws: `JobConfigError` naming the key: a negative age, an unknown or unfinished status, an empty
    ///   status list, an unknown key.
    public init(json: JSONValue) throws(JobConfigError) {
        let reader = try JSONFieldReader(job: "cleanup", json: json, keys: Self.keys, example: "{\"age_threshold_days\": 30}")
        self.init()
        try reader.read("age_threshold_days", into: &ageThresholdDays)
        if let statuses = try reader.strings("status_filter") { statusFilter = statuses }
        try validate()
    }

    /// Checks the age and the statuses.
    /// - Throws: `JobConfigError` naming the key at fault.
    public func validate() throws(JobConfigError) {
        guard (0...36_500).contains(ageThresholdDays) else {
            throw JobConfigError(job: "cleanup", field: "age_threshold_days", "must be from 0 to 36500 days, not \(ageThresholdDays)")
        }
        guard !statusFilter.isEmpty else {
            throw JobConfigError(job: "cleanup", field: "status_filter", "is empty; give one or more of \(Self.deletableStatuses.joined(separator: ", "))")
        }
        for (index, status) in statusFilter.enumerated() where !Self.deletableStatuses.contains(status) {
            let why = status == "pending" || status == "running" ? " (unfinished jobs are never deleted by age)" : ""
            throw JobConfigError(job: "cleanup", field: "status_filter[\(index)]",
                                 "is \"\(status)\"; allowed are \(Self.deletableStatuses.joined(separator: ", "))\(why)")
        }
    }

    /// Jobs that finished before this time (UTC milliseconds) are old enough to delete.
    public func cutoff(nowMillis: Int64) -> Int64 {
        nowMillis - Int64(ageThresholdDays) * 86_400_000
    }

    /// The request as JSON, to store with the job.
    public var json: JSONValue {
        .object(["age_threshold_days": .number(Double(ageThresholdDays)), "status_filter": .array(statusFilter.map(JSONValue.string))])
    }
}
