public import QuaeroQueue

/// Job logs and leadership.
extension PostgresTransaction {
    public func appendLogs(_ entries: [NewJobLogEntry]) async throws -> JobLogAppendResult {
        var result = JobLogAppendResult()
        guard !entries.isEmpty else { return result }
        let written = try await rows(JobLogSQL.Append.self, entries.map(\.jobID), entries.map(\.timestamp),
                                     entries.map(\.level.rawValue), entries.map(\.message))
        result.written = written.count
        result.missingJob = entries.count - written.count
        if result.missingJob > 0 {
            let present = Set(try written.map { try $0.text(0) })
            result.aMissingJobID = entries.first { !present.contains($0.jobID) }?.jobID
        }
        return result
    }

    public func logs(_ query: JobLogQuery) async throws -> [JobLogEntry] {
        let found: [PostgresColumns]
        switch query {
        case .newest(let jobID, let limit, let minimumLevel, let since):
            found = try await rows(JobLogSQL.ByJob.self, jobID, since ?? .min, Self.levels(minimumLevel), Int64(limit))
        case .after(let jobID, let entry, let limit, let minimumLevel):
            found = try await rows(JobLogSQL.ByJobAfter.self, jobID, entry?.timestamp ?? .min, Self.levels(minimumLevel),
                                   entry?.id ?? .min, Int64(limit))
        case .level(let level, let since, let limit):
            found = try await rows(JobLogSQL.ByLevel.self, level.rawValue, since ?? .min, Int64(limit))
        case .id(let id):
            found = try await rows(JobLogSQL.ByID.self, id)
        }
        return try found.map { row in
            let name = try row.text(3)
            guard let level = LogLevel(rawValue: name) else {
                throw QuaeroError(.decoding, "job log line \(try row.int64(0)) has the unknown level \"\(name)\"")
            }
            return JobLogEntry(id: try row.int64(0), jobID: try row.text(1), timestamp: try row.int64(2), level: level,
                               message: try row.text(4))
        }
    }

    /// The names of the levels at or above `minimum` (all when nil).
    private static func levels(_ minimum: LogLevel?) -> [String] {
        LogLevel.allCases.filter { level in minimum.map { level >= $0 } ?? true }.map(\.rawValue)
    }

    public func logCount(jobID: String) async throws -> Int {
        try await first(JobLogSQL.CountByJob.self, jobID)?.int(0) ?? 0
    }

    public func logCountsByLevel(jobID: String?) async throws -> [LogLevel: Int] {
        var counts: [LogLevel: Int] = [:]
        for row in try await rows(JobLogSQL.CountsByLevel.self, jobID) {
            // The CHECK constraint admits only known names; anything else would be a newer schema.
            if let level = LogLevel(rawValue: try row.text(0)) { counts[level] = try row.int(1) }
        }
        return counts
    }

    public func deleteLogs(jobID: String) async throws -> Int {
        try await command(JobLogSQL.DeleteByJob.self, jobID)
    }

    public func deleteLogs(olderThan cutoff: Int64, limit: Int) async throws -> Int {
        try await command(JobLogSQL.DeleteOlder.self, cutoff, Int64(limit))
    }
}
