import Foundation

/// One stored line of a job's log.
///
/// Encodes as the API's log entry shape: `{"id", "job_id", "timestamp", "level", "message"}`, the
/// timestamp as an RFC 3339 string with milliseconds (UTC).
public struct JobLogEntry: Sendable, Hashable, Encodable {
    /// The row id: increases in the order lines were appended.
    public let id: Int64
    /// The job the line belongs to.
    public let jobID: String
    /// When it was appended, UTC milliseconds since the epoch.
    public let timestamp: Int64
    /// Its severity.
    public let level: LogLevel
    /// Its text.
    public let message: String

    /// Creates an entry (as read from the store).
    public init(id: Int64, jobID: String, timestamp: Int64, level: LogLevel, message: String) {
        self.id = id
        self.jobID = jobID
        self.timestamp = timestamp
        self.level = level
        self.message = message
    }

    private enum CodingKeys: String, CodingKey {
        case id, jobID = "job_id", timestamp, level, message
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(jobID, forKey: .jobID)
        try container.encode(RFC3339.string(millis: timestamp), forKey: .timestamp)
        try container.encode(level, forKey: .level)
        try container.encode(message, forKey: .message)
    }
}

/// A line to append to a job's log: an entry without its row id.
public struct NewJobLogEntry: Sendable, Hashable {
    /// The job the line belongs to.
    public var jobID: String
    /// When it was appended, UTC milliseconds since the epoch.
    public var timestamp: Int64
    /// Its severity.
    public var level: LogLevel
    /// Its text.
    public var message: String

    /// Creates a line to append.
    public init(jobID: String, timestamp: Int64, level: LogLevel, message: String) {
        self.jobID = jobID
        self.timestamp = timestamp
        self.level = level
        self.message = message
    }
}
