import Logging
import QuaeroQueue
import Synchronization

/// Helpers of the log tests: job records stored directly through the store (independent of the job manager)
/// and a swift-log handler that records what it is given.
enum LogFixtures {
    /// Stores a job record per id, without a message.
    static func insertJobs(_ store: any QuaeroStore, _ ids: [String]) async throws {
        try await store.write { tx in
            for id in ids {
                _ = try await tx.insertJob(NewJobRecord(id: id, parentID: nil, type: "test", config: [:], fields: [:],
                                                        messageID: 0, failOnChildFailure: true))
            }
        }
    }

    /// Deletes a job record (its logs should go with it).
    static func deleteJob(_ store: any QuaeroStore, _ id: String) async throws {
        try await store.write { tx in try await tx.deleteJob(id) }
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
