/// The stored job logs of a database: appends, queries, counts and deletes on the `job_logs` table.
///
/// Lines are ordered by `(timestamp, id)`; "newest first" is the reverse. A deleted job takes its lines
/// with it (`ON DELETE CASCADE`), so the job manager needs no call here to delete a job.
public struct JobLogStore: Sendable {
    /// The most lines one query returns.
    public static let maxLimit = 10_000
    /// How many old lines `delete(olderThan:)` removes per transaction, so the writer is never held long.
    static let deleteChunk = 10_000

    /// The database holding the logs.
    public let database: Database

    /// Creates the store of `database`'s job logs.
    public init(database: Database) {
        self.database = database
    }

    // MARK: Append

    /// Appends `entries` in order inside a transaction the caller opened with `Database.write`.
    ///
    /// A line whose job does not exist is skipped and counted, not an error: the job may have been deleted
    /// while it was still logging, and one such line must not cost the lines of every other job in the
    /// batch. Relies on the foreign key check (`PRAGMA foreign_keys = ON`, set by `Database`), which
    /// aborts only the one INSERT and leaves the transaction open. Lines go 16 to a statement; a statement
    /// that hits a missing job is redone line by line.
    ///
    /// - Returns: how many lines were stored and how many were skipped (with one of the missing job ids).
    public func append(_ entries: some RandomAccessCollection<NewJobLogEntry>, in connection: Connection) throws -> JobLogAppendResult {
        let many = try connection.prepare(JobLogSQL.insertMany)
        let one = try connection.prepare(JobLogSQL.insert)
        var result = JobLogAppendResult()
        var start = entries.startIndex
        while entries.distance(from: start, to: entries.endIndex) >= JobLogSQL.rowsPerInsert {
            let end = entries.index(start, offsetBy: JobLogSQL.rowsPerInsert)
            for (row, entry) in entries[start..<end].enumerated() { Self.bind(entry, to: many, row: row) }
            do {
                try many.run()
                result.written += JobLogSQL.rowsPerInsert
            } catch let error as QuaeroError where error.sqliteCode == Self.foreignKeyViolation {
                try insertOneByOne(entries[start..<end], one, &result)
            }
            start = end
        }
        try insertOneByOne(entries[start...], one, &result)
        return result
    }

    private func insertOneByOne(_ entries: some Sequence<NewJobLogEntry>, _ insert: Statement, _ result: inout JobLogAppendResult) throws {
        for entry in entries {
            Self.bind(entry, to: insert, row: 0)
            do {
                try insert.run()
                result.written += 1
            } catch let error as QuaeroError where error.sqliteCode == Self.foreignKeyViolation {
                result.missingJob += 1
                result.aMissingJobID = result.aMissingJobID ?? entry.jobID
            }
        }
    }

    /// Binds `entry` to the four parameters of row `row` of an insert.
    private static func bind(_ entry: NewJobLogEntry, to statement: Statement, row: Int) {
        let first = Int32(row * 4 + 1)
        statement.bind(first, .text(entry.jobID))
        statement.bind(first + 1, entry.timestamp)
        statement.bind(first + 2, .text(entry.level.rawValue))
        statement.bind(first + 3, .text(entry.message))
    }

    /// Appends `entries` in order in one transaction of their own.
    public func append(_ entries: [NewJobLogEntry]) async throws -> JobLogAppendResult {
        try await database.write { try self.append(entries, in: $0) }
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
        try Self.validate(limit: limit)
        return try await database.read { connection in
            let statement = try connection.prepare(JobLogSQL.byJob)
            statement.bind(1, .text(jobID))
            statement.bind(2, since ?? .min)
            Self.bindLevels(statement, minimumLevel)
            statement.bind(7, Int64(limit))
            return try statement.rows(Self.entry)
        }
    }

    /// A job's lines that come after `entry` (or from the start when nil), oldest first: what a follower
    /// polls for, passing the last line it has shown.
    ///
    /// - Throws: `invalidArgument` for a limit out of range.
    public func entries(jobID: String, after entry: JobLogEntry?, limit: Int = 100, minimumLevel: LogLevel? = nil) async throws -> [JobLogEntry] {
        try Self.validate(limit: limit)
        return try await database.read { connection in
            let statement = try connection.prepare(JobLogSQL.byJobAfter)
            statement.bind(1, .text(jobID))
            statement.bind(2, entry?.timestamp ?? .min)
            Self.bindLevels(statement, minimumLevel)
            statement.bind(7, entry?.id ?? .min)
            statement.bind(8, Int64(limit))
            return try statement.rows(Self.entry)
        }
    }

    /// The line `id`, or nil when there is none (never stored, or deleted since): a follower that
    /// remembers only a line's id (an SSE client's `Last-Event-ID`) resumes after it with
    /// `entries(jobID:after:)`.
    public func entry(id: Int64) async throws -> JobLogEntry? {
        try await database.read { try $0.queryFirst(JobLogSQL.byID, [id], Self.entry) }
    }

    /// The lines of every job with exactly `level`, newest first (for example the latest errors).
    ///
    /// - Throws: `invalidArgument` for a limit out of range.
    public func entries(level: LogLevel, since: Int64? = nil, limit: Int = 100) async throws -> [JobLogEntry] {
        try Self.validate(limit: limit)
        return try await database.read { connection in
            try connection.query(JobLogSQL.byLevel, [level.rawValue, since ?? .min, limit], Self.entry)
        }
    }

    // MARK: Counts

    /// How many lines a job has.
    public func count(jobID: String) async throws -> Int {
        try await database.read { try $0.queryFirst(JobLogSQL.countByJob, [jobID]) { $0.int(0) } ?? 0 }
    }

    /// How many lines there are per level, of one job or (when nil) of every job. Levels without lines
    /// are absent.
    public func countsByLevel(jobID: String? = nil) async throws -> [LogLevel: Int] {
        try await database.read { connection in
            var counts: [LogLevel: Int] = [:]
            if let jobID {
                let columns = try connection.queryFirst(JobLogSQL.countsByLevelOfJob, [jobID]) { row in
                    LogLevel.allCases.indices.map { row.int(Int32($0)) }
                } ?? []
                for (level, count) in zip(LogLevel.allCases, columns) where count > 0 { counts[level] = count }
            } else {
                try connection.query(JobLogSQL.countsByLevel) { row in
                    // The CHECK constraint admits only known names; anything else would be a newer schema.
                    if let level = LogLevel(rawValue: row.text(0)) { counts[level] = row.int(1) }
                }
            }
            return counts
        }
    }

    // MARK: Delete

    /// Deletes a job's lines and returns how many went.
    public func delete(jobID: String) async throws -> Int {
        try await database.write { connection in
            try connection.execute(JobLogSQL.deleteByJob, [jobID])
            return connection.changes
        }
    }

    /// Deletes the lines of every job appended before `cutoff` (UTC milliseconds) and returns how many went.
    ///
    /// Works in transactions of `deleteChunk` lines, so other writers (and the log flusher) get turns.
    public func delete(olderThan cutoff: Int64) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await database.write { connection in
                try connection.execute(JobLogSQL.deleteOlder, [cutoff, Self.deleteChunk])
                return connection.changes
            }
            total += deleted
            if deleted < Self.deleteChunk { return total }
        }
    }

    // MARK: Helpers

    /// SQLITE_CONSTRAINT_FOREIGNKEY (`SQLITE_CONSTRAINT | 3 << 8`), a macro Swift does not import.
    private static let foreignKeyViolation: Int32 = 19 | 3 << 8

    private static func validate(limit: Int) throws {
        guard (1...maxLimit).contains(limit) else {
            throw QuaeroError(.invalidArgument, "the log limit must be between 1 and \(maxLimit), got \(limit)")
        }
    }

    /// Binds the four level slots ?3…?6: the levels at or above `minimum`, NULL for the others.
    private static func bindLevels(_ statement: Statement, _ minimum: LogLevel?) {
        for (slot, level) in LogLevel.allCases.enumerated() {
            let included = minimum.map { level >= $0 } ?? true
            statement.bind(Int32(3 + slot), included ? .text(level.rawValue) : .null)
        }
    }

    private static func entry(_ row: Row) throws -> JobLogEntry {
        let name = row.text(3)
        guard let level = LogLevel(rawValue: name) else {
            throw QuaeroError(.decoding, "job log line \(row.int64(0)) has the unknown level \"\(name)\"")
        }
        return JobLogEntry(id: row.int64(0), jobID: row.text(1), timestamp: row.int64(2), level: level, message: row.text(4))
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
