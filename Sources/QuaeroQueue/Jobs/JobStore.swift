import Foundation

/// The storage seam of the job engine: every read and write of job records, and of the queue rows that belong
/// to jobs, goes through here (SQL in `JobSQL`). `JobManager` and `WorkerPool` never see SQL.
///
/// Methods that take a `Connection` run inside a transaction the caller opened with `Database.write`;
/// they return the events to publish once that transaction has committed.
final class JobStore: Sendable {
    let queue: Queue
    var database: Database { queue.database }
    var clock: any QuaeroClock { queue.clock }

    init(queue: Queue) {
        self.queue = queue
    }

    // MARK: Create

    /// Writes the record and sends its message; returns the job (the existing one on a dedup-key hit).
    func create(_ spec: JobSpec, in connection: Connection) throws -> (Job, [JobEvent]) {
        let id = spec.id ?? JobMessage.newID()
        if let given = spec.id, !JobID.isValid(given) {
            throw QuaeroError(.invalidArgument, "job id \"\(given)\" is not 26 characters of lowercase Crockford base32; omit it to get a new one")
        }
        var fields = spec.fields
        fields["config"] = nil  // the config is its own field
        let body = try Self.body(id: id, type: spec.type, parentID: spec.parentID, config: spec.config, fields: fields)
        let outgoing = OutgoingMessage(body: body, type: spec.type.rawValue, delay: spec.delay,
                                       priority: spec.priority, key: spec.key)
        let messageID = try queue.send(outgoing, in: connection)
        if spec.key != nil, let existing = try connection.queryFirst(JobSQL.jobOfMessage, [messageID], { $0.text(0) }) {
            return (try get(existing, in: connection), [])
        }
        let now = clock.nowMillis()
        if let parentID = spec.parentID {
            try connection.execute(JobSQL.countChild, [parentID, now])
            let status = connection.changes == 0 ? nil : try connection.queryFirst(JobSQL.status, [parentID]) { $0.text(0) }
            guard let status else {
                throw QuaeroError(.notFound, "parent job \(parentID) does not exist; create the parent first")
            }
            if JobStatus(rawValue: status)?.isTerminal == true {
                throw QuaeroError(.conflict, "parent job \(parentID) already ended (\(status)); a child cannot be added to it")
            }
        }
        let stmt = try connection.prepare(JobSQL.insert)
        stmt.bind([id, spec.parentID, spec.type.rawValue, try Self.encodeObject(spec.config),
                   try Self.encodeObject(fields), messageID, spec.failOnChildFailure, now])
        try stmt.run()
        let job = Job(id: id, parentID: spec.parentID, type: spec.type, status: .pending, config: spec.config, fields: fields,
                      progress: JobProgress(), message: nil, result: nil, error: nil, attempts: 0,
                      failOnChildFailure: spec.failOnChildFailure, createdAt: now, startedAt: nil, finishedAt: nil,
                      updatedAt: now)
        let event = JobEvent(kind: .created, jobID: id, type: spec.type, parentID: spec.parentID, status: .pending, at: now)
        return (job, [event])
    }

    /// The message body of a job: `JobMessage`'s JSON, written directly in the common case (no config, no
    /// fields, plain names) because it is made once per job on the hot path.
    static func body(id: String, type: JobType, parentID: String?, config: [String: JSONValue],
                     fields: [String: JSONValue]) throws -> Data {
        func plain(_ text: String) -> Bool {
            text.utf8.allSatisfy { $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
        if config.isEmpty, fields.isEmpty, plain(id), plain(type.rawValue), parentID.map(plain) ?? true {
            let parent = parentID.map { "\"\($0)\"" } ?? "null"
            return Data("{\"config\":{},\"id\":\"\(id)\",\"parent_id\":\(parent),\"type\":\"\(type.rawValue)\"}".utf8)
        }
        var all = fields
        all["config"] = .object(config)
        return try JobMessage(id: id, type: type, parentID: parentID, fields: all).encoded()
    }

    // MARK: Read

    func get(_ id: String, in connection: Connection) throws -> Job {
        guard let job = try connection.queryFirst(JobSQL.get, [id], Self.job) else {
            throw QuaeroError(.notFound, "job \(id) does not exist; list jobs with `quaero jobs list`")
        }
        return job
    }

    func children(of id: String, in connection: Connection) throws -> [Job] {
        try connection.query(JobSQL.children, [id], Self.job)
    }

    func list(_ filter: JobFilter, in connection: Connection) throws -> [Job] {
        var conditions: [String] = []
        var arguments: [any SQLBindable] = []
        if let status = filter.status { conditions.append("status = ?"); arguments.append(status.rawValue) }
        if let type = filter.type { conditions.append("type = ?"); arguments.append(type.rawValue) }
        if let parent = filter.parentID { conditions.append("parent_id = ?"); arguments.append(parent) }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments.append(contentsOf: [filter.limit, filter.offset] as [any SQLBindable])
        return try connection.query(
            "SELECT \(JobSQL.columns) FROM jobs \(whereClause) ORDER BY id DESC LIMIT ? OFFSET ?", arguments, Self.job)
    }

    func stats(in connection: Connection) throws -> [JobType: JobTypeStats] {
        var stats: [JobType: JobTypeStats] = [:]
        var runTimes: [JobType: (total: Double, count: Int)] = [:]
        try connection.query(JobSQL.stats) { row in
            let type = JobType(row.text(0))
            let count = row.int(2)
            var entry = stats[type] ?? JobTypeStats()
            switch JobStatus(rawValue: row.text(1)) {
            case .pending: entry.pending = count
            case .running: entry.running = count
            case .completed: entry.completed = count
            case .failed: entry.failed = count
            case .cancelled: entry.cancelled = count
            case nil: break
            }
            if !row.isNull(3), row.text(1) == "completed" || row.text(1) == "failed" {
                runTimes[type, default: (0, 0)].total += row.double(3) * Double(count)
                runTimes[type, default: (0, 0)].count += count
            }
            stats[type] = entry
        }
        for (type, time) in runTimes where time.count > 0 {
            stats[type]?.averageRunTime = .milliseconds(time.total / Double(time.count))
        }
        return stats
    }

    // MARK: Update

    func update(_ id: String, _ changes: JobChanges, in connection: Connection) throws -> Job {
        let progress = changes.progress
        try connection.execute(JobSQL.update, [
            id, try changes.config.map(Self.encodeObject), progress != nil, progress?.total ?? 0,
            progress?.completed ?? 0, progress?.failed ?? 0, changes.message, try changes.result.map(Self.encode),
            clock.nowMillis(),
        ])
        return try get(id, in: connection)
    }

    // MARK: Rows and JSON

    /// Reads a row selected with `JobSQL.columns`.
    static func job(_ row: Row) throws -> Job {
        Job(id: row.text(0), parentID: row.optionalText(1), type: JobType(row.text(2)),
            status: JobStatus(rawValue: row.text(3)) ?? .failed, config: try object(row.text(4), what: "config"),
            fields: try object(row.text(5), what: "fields"),
            progress: JobProgress(total: row.int(6), completed: row.int(7), failed: row.int(8)),
            message: row.optionalText(9), result: try row.optionalText(10).map { try JSONValue.parse(Data($0.utf8), what: "the result") },
            error: row.optionalText(11), attempts: row.int(12), failOnChildFailure: row.int(13) != 0,
            createdAt: row.int64(14), startedAt: row.optionalInt64(15), finishedAt: row.optionalInt64(16),
            updatedAt: row.int64(17))
    }

    static func object(_ text: String, what: String) throws -> [String: JSONValue] {
        if text == "{}" { return [:] }  // the common case, without a decoder
        guard let object = try JSONValue.parse(Data(text.utf8), what: "the job's \(what)").objectValue else {
            throw QuaeroError(.decoding, "the job's \(what) is not a JSON object")
        }
        return object
    }

    static func encodeObject(_ object: [String: JSONValue]) throws -> String {
        object.isEmpty ? "{}" : try encode(.object(object))
    }

    static func encode(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
