import Logging
import QuaeroQueue
import Synchronization

/// Helpers of the log tests: job rows inserted with plain SQL (independent of the job manager) and a
/// swift-log handler that records what it is given.
enum LogFixtures {
    /// Inserts a running job row per id.
    static func insertJobs(_ database: Database, _ ids: [String]) async throws {
        try await database.write { connection in
            for id in ids {
                try connection.execute(
                    "INSERT INTO jobs (id, type, status, created_at, updated_at) VALUES (?1, 'test', 'running', 0, 0)",
                    [id])
            }
        }
    }

    /// Deletes a job row (its logs should go with it).
    static func deleteJob(_ database: Database, _ id: String) async throws {
        try await database.write { try $0.execute("DELETE FROM jobs WHERE id = ?1", [id]) }
    }

    /// Every stored line of `jobID`, oldest first.
    static func lines(_ store: JobLogStore, _ jobID: String) async throws -> [JobLogEntry] {
        try await store.entries(jobID: jobID, limit: JobLogStore.maxLimit).reversed()
    }
}

/// A swift-log handler that keeps every event it receives, for checking what was reported.
struct RecordingLogHandler: LogHandler {
    /// The events, shared by every copy of the handler.
    final class Box: Sendable {
        let events = Mutex<[LogEvent]>([])
        var all: [LogEvent] { events.withLock { $0 } }
        var messages: [String] { all.map(\.message.description) }
    }
    let box: Box
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    init(box: Box = Box(), logLevel: Logger.Level = .trace) {
        self.box = box
        self.logLevel = logLevel
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        box.events.withLock { $0.append(event) }
    }

    /// A logger that records into `box`.
    static func logger(_ box: Box, level: Logger.Level = .trace) -> Logger {
        Logger(label: "test") { _ in RecordingLogHandler(box: box, logLevel: level) }
    }
}
