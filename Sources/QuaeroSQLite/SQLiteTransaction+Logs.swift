public import QuaeroQueue

/// Job logs: appends, queries, counts and deletes on `job_logs`.
extension SQLiteTransaction {
    /// SQLITE_CONSTRAINT_FOREIGNKEY (`SQLITE_CONSTRAINT | 3 << 8`), a macro Swift does not import.
    private static let foreignKeyViolation = String(19 | 3 << 8)

    /// Lines go 16 to a statement; a statement that hits a missing job is redone line by line. Relies on the
    /// foreign key check (`PRAGMA foreign_keys = ON`), which aborts only the one INSERT and leaves the
    /// transaction open.
    public func appendLogs(_ entries: [NewJobLogEntry]) async throws -> JobLogAppendResult {
        let many = try connection.prepare(JobLogSQL.insertMany)
        let one = try connection.prepare(JobLogSQL.insert)
        var result = JobLogAppendResult()
        var start = entries.startIndex
        while entries.endIndex - start >= JobLogSQL.rowsPerInsert {
            let end = start + JobLogSQL.rowsPerInsert
            for (row, entry) in entries[start..<end].enumerated() { Self.bind(entry, to: many, row: row) }
            do {
                try many.run()
                result.written += JobLogSQL.rowsPerInsert
            } catch let error as QuaeroError where error.storeCode == Self.foreignKeyViolation {
                try insertOneByOne(entries[start..<end], one, &result)
            }
            start = end
        }
        try insertOneByOne(entries[start...], one, &result)
        return result
    }

    private func insertOneByOne(_ entries: ArraySlice<NewJobLogEntry>, _ insert: Statement, _ result: inout JobLogAppendResult) throws {
        for entry in entries {
            Self.bind(entry, to: insert, row: 0)
            do {
                try insert.run()
                result.written += 1
            } catch let error as QuaeroError where error.storeCode == Self.foreignKeyViolation {
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

    public func logs(_ query: JobLogQuery) async throws -> [JobLogEntry] {
        switch query {
        case .newest(let jobID, let limit, let minimumLevel, let since):
            let statement = try connection.prepare(JobLogSQL.byJob)
            statement.bind(1, .text(jobID))
            statement.bind(2, since ?? .min)
            Self.bindLevels(statement, minimumLevel)
            statement.bind(7, Int64(limit))
            return try statement.rows(Self.entry)
        case .after(let jobID, let entry, let limit, let minimumLevel):
            let statement = try connection.prepare(JobLogSQL.byJobAfter)
            statement.bind(1, .text(jobID))
            statement.bind(2, entry?.timestamp ?? .min)
            Self.bindLevels(statement, minimumLevel)
            statement.bind(7, entry?.id ?? .min)
            statement.bind(8, Int64(limit))
            return try statement.rows(Self.entry)
        case .level(let level, let since, let limit):
            return try connection.query(JobLogSQL.byLevel, [level.rawValue, since ?? .min, limit], Self.entry)
        case .id(let id):
            return try connection.query(JobLogSQL.byID, [id], Self.entry)
        }
    }

    public func logCount(jobID: String) async throws -> Int {
        try connection.queryFirst(JobLogSQL.countByJob, [jobID]) { $0.int(0) } ?? 0
    }

    public func logCountsByLevel(jobID: String?) async throws -> [LogLevel: Int] {
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

    public func deleteLogs(jobID: String) async throws -> Int {
        try connection.execute(JobLogSQL.deleteByJob, [jobID])
        return connection.changes
    }

    public func deleteLogs(olderThan cutoff: Int64, limit: Int) async throws -> Int {
        try connection.execute(JobLogSQL.deleteOlder, [cutoff, limit])
        return connection.changes
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
