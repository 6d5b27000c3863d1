/// The stored job logs: appends, queries, counts and deletes, through the store.
///
/// Lines are ordered by `(timestamp, id)`; "newest first" is the reverse. A deleted job takes its lines with it,
/// so the job manager needs no call here to delete a job.
public struct JobLogStore: Sendable {
    /// The most lines one query returns.
    public static let maxLimit = 10_000
    /// How many old lines `delete(olderThan:)` removes per transaction, so the writer is never held long.
    static let deleteChunk = 10_000

    /// The store holding the logs.
    public let store: any QuaeroStore

    /// Creates the view of `store`'s job logs.
    public init(store: any QuaeroStore) {
        self.store = store
    }

    // MARK: Append

    /// Appends `entries` in order in one transaction of their own. A line whose job does not exist is skipped
    /// and counted, not an error: the job may have been deleted while it was still logging.
    public func append(_ entries: [NewJobLogEntry]) async throws -> JobLogAppendResult {
        try await store.write { tx in try await tx.appendLogs(entries) }
    }

    // MARK: Queries

    /// A job's lines, newest first.
    ///
    /// - Parameters:
    ///   - jobID: the job.
    ///   - limit: the most lines to return, 1 to `maxLimit`.
    ///   - minimumLevel: when given, only lines of this level or a more severe one.
    ///   - since: when given, only lines appended at or after this time (UTC milliseconds).
    /// - Throws: `invalidArgument` for a limit out of range.
    public func entries(jobID: String, limit: Int = 100, minimumLevel: LogLevel? = nil, since: Int64? = nil) async throws -> [JobLogEntry] {
        try await query(.newest(jobID: jobID, limit: limit, minimumLevel: minimumLevel, since: since), limit: limit)
    }

    /// A job's lines that come after `entry` (or from the start when nil), oldest first: what a follower
    /// polls for, passing the last line it has shown.
    ///
    /// - Throws: `invalidArgument` for a limit out of range.
    public func entries(jobID: String, after entry: JobLogEntry?, limit: Int = 100, minimumLevel: LogLevel? = nil) async throws -> [JobLogEntry] {
        try await query(.after(jobID: jobID, entry: entry, limit: limit, minimumLevel: minimumLevel), limit: limit)
    }

    /// The line `id`, or nil when there is none (never stored, or deleted since): a follower that
    /// remembers only a line's id (an SSE client's `Last-Event-ID`) resumes after it with
    /// `entries(jobID:after:)`.
    public func entry(id: Int64) async throws -> JobLogEntry? {
        try await store.read { reader in try await reader.logs(.id(id)).first }
    }

    /// The lines of every job with exactly `level`, newest first (for example the latest errors).
    ///
    /// - Throws: `invalidArgument` for a limit out of range.
    public func entries(level: LogLevel, since: Int64? = nil, limit: Int = 100) async throws -> [JobLogEntry] {
        try await query(.level(level, since: since, limit: limit), limit: limit)
    }

    private func query(_ query: JobLogQuery, limit: Int) async throws -> [JobLogEntry] {
        guard (1...Self.maxLimit).contains(limit) else {
            throw QuaeroError(.invalidArgument, "the log limit must be between 1 and \(Self.maxLimit), got \(limit)")
        }
        return try await store.read { reader in try await reader.logs(query) }
    }

    // MARK: Counts

    /// How many lines a job has.
    public func count(jobID: String) async throws -> Int {
        try await store.read { reader in try await reader.logCount(jobID: jobID) }
    }

    /// How many lines there are per level, of one job or (when nil) of every job. Levels without lines
    /// are absent.
    public func countsByLevel(jobID: String? = nil) async throws -> [LogLevel: Int] {
        try await store.read { reader in try await reader.logCountsByLevel(jobID: jobID) }
    }

    // MARK: Delete

    /// Deletes a job's lines and returns how many went.
    public func delete(jobID: String) async throws -> Int {
        try await store.write { tx in try await tx.deleteLogs(jobID: jobID) }
    }

    /// Deletes the lines of every job appended before `cutoff` (UTC milliseconds) and returns how many went.
    ///
    /// Works in transactions of `deleteChunk` lines, so other writers (and the log flusher) get turns.
    public func delete(olderThan cutoff: Int64) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await store.write { tx in try await tx.deleteLogs(olderThan: cutoff, limit: Self.deleteChunk) }
            total += deleted
            if deleted < Self.deleteChunk { return total }
        }
    }
}

/// What an append stored.
public struct JobLogAppendResult: Sendable, Hashable {
    /// Lines stored.
    public var written = 0
    /// Lines skipped because their job does not exist.
    public var missingJob = 0
    /// One of the job ids that did not exist, for the report.
    public var aMissingJobID: String?

    /// An empty result.
    public init() {}
}
