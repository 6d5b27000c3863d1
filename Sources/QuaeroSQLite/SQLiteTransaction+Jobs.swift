import Foundation
public import QuaeroQueue

/// Job records: create, start, end, parents, cancel, delete and reconciliation.
extension SQLiteTransaction {
    public func claim(_ request: ReceiveRequest) async throws -> ClaimBatch {
        let delivery = try receiveNow(request)
        guard !delivery.messages.isEmpty else {
            return ClaimBatch(exhausted: delivery.exhausted, heldBack: delivery.heldBack, rateLimitedUntil: delivery.rateLimitedUntil)
        }
        let now = clock.nowMillis()
        let startable = try connection.prepare(JobSQL.startable)
        let start = try connection.prepare(JobSQL.start)
        var claimed: [ClaimedMessage] = []
        claimed.reserveCapacity(delivery.messages.count)
        for message in delivery.messages {
            guard let jobID = message.jobID else {
                claimed.append(ClaimedMessage(message: message, job: nil))
                continue
            }
            startable.bind(1, .text(jobID))
            var job = try startable.first(SQLiteRows.job)
            if var started = job {
                start.bind([jobID, now, request.worker])
                try start.run()
                connection.counters.job(started.type.rawValue, from: started.status, to: .running)
                // Patched rather than read back: the statement changes exactly these.
                started.status = .running
                started.attempts += 1
                started.startedAt = now
                started.updatedAt = now
                started.worker = request.worker
                job = started
            }
            claimed.append(ClaimedMessage(message: message, job: job))
        }
        return ClaimBatch(claimed: claimed, exhausted: delivery.exhausted, heldBack: delivery.heldBack,
                          rateLimitedUntil: delivery.rateLimitedUntil)
    }

    public func insertJob(_ record: NewJobRecord) async throws -> Job {
        let now = clock.nowMillis()
        let stmt = try connection.prepare(JobSQL.insert)
        let config = try SQLiteRows.encodeObject(record.config)
        let fields = try SQLiteRows.encodeObject(record.fields)
        stmt.bind([record.id, record.parentID, record.type.rawValue, config, fields, record.messageID, record.failOnChildFailure, now, record.uniqueKey])
        try stmt.run()
        connection.counters.job(record.type.rawValue, from: nil, to: .pending)
        if !record.config.isEmpty || !record.fields.isEmpty { try index(jobID: record.id, config: config, fields: fields) }
        return Job(id: record.id, parentID: record.parentID, type: record.type, status: .pending, config: record.config,
                   fields: record.fields, progress: JobProgress(), message: nil, result: nil, error: nil, attempts: 0,
                   failOnChildFailure: record.failOnChildFailure, createdAt: now, startedAt: nil, finishedAt: nil, updatedAt: now)
    }

    /// Adds a new job's text to the search index, as m0011's insert trigger did (m0013 dropped it): the same
    /// rows and the same text, which the update and delete triggers remove again.
    private func index(jobID: String, config: String, fields: String) throws {
        try connection.execute(JobSQL.indexJob, [jobID])
        try connection.execute(JobSQL.indexText, [connection.lastInsertRowID, config + " " + fields + " "])
    }

    public func countChildren(of parentID: String, count: Int) async throws -> JobStatus? {
        try connection.execute(JobSQL.countChildren, [parentID, clock.nowMillis(), count])
        if connection.changes > 0 { return .running }
        return try connection.queryFirst(JobSQL.status, [parentID]) { JobStatus(rawValue: $0.text(0)) ?? .failed }
    }

    public func attachMessage(_ messageID: MessageID, toJob jobID: String) async throws {
        try connection.execute(JobSQL.attachMessage, [messageID, jobID])
        try connection.execute(JobSQL.setMessage, [jobID, messageID])
    }

    public func startJob(_ id: String) async throws -> Job? {
        guard let job = try connection.queryFirst(JobSQL.startable, [id], SQLiteRows.job) else { return nil }
        try connection.execute(JobSQL.start, [id, clock.nowMillis(), nil as String?])
        connection.counters.job(job.type.rawValue, from: job.status, to: .running)
        return try connection.queryFirst(JobSQL.get, [id], SQLiteRows.job)
    }

    public func updateJob(_ id: String, _ changes: JobChanges) async throws -> Job? {
        let progress = changes.progress
        try connection.execute(JobSQL.update, [
            id, try changes.config.map(SQLiteRows.encodeObject), progress != nil, progress?.total ?? 0,
            progress?.completed ?? 0, progress?.failed ?? 0, changes.message, try changes.result.map(SQLiteRows.encode),
            clock.nowMillis(),
        ])
        guard connection.changes > 0 else { return nil }
        return try connection.queryFirst(JobSQL.get, [id], SQLiteRows.job)
    }

    public func completeJob(_ job: Job, result: JSONValue?) async throws -> JobEnd? {
        let now = clock.nowMillis()
        let encoded = try result.map(SQLiteRows.encode)
        // Most jobs have no children (and no error to clear): they complete without the general statement and
        // a read back. A job's error read at its claim may be stale: the clean statement then changes nothing.
        if job.error == nil { try connection.execute(JobSQL.succeedCleanLeaf, [job.id, now, encoded]) }
        if job.error != nil || connection.changes == 0 { try connection.execute(JobSQL.succeedLeaf, [job.id, now, encoded]) }
        if connection.changes > 0 {
            connection.counters.job(job.type.rawValue, from: .running, to: .completed, (job.startedAt, now))
            return JobEnd(id: job.id, parentID: job.parentID, type: job.type, status: .completed, error: nil, attempts: job.attempts)
        }
        return try connection.queryFirst(JobSQL.succeed, [job.id, now, encoded]) { row in
            let status = JobStatus(rawValue: row.text(0)) ?? .completed
            connection.counters.job(job.type.rawValue, from: .running, to: status, (row.optionalInt64(2), row.optionalInt64(3)))
            return JobEnd(id: job.id, parentID: job.parentID, type: job.type, status: status, error: row.optionalText(1),
                          attempts: job.attempts)
        }
    }

    public func retryJob(_ id: String, error: String) async throws {
        try backToPending(JobSQL.retry, [id, clock.nowMillis(), error])
    }

    /// Runs `sql`, which moves a running job back to pending and returns its type, and counts the change.
    func backToPending(_ sql: SQLStatement, _ arguments: [any SQLBindable]) throws {
        for type in try connection.query(sql, arguments, { $0.text(0) }) {
            connection.counters.job(type, from: .running, to: .pending)
        }
    }

    /// The status and times of job `id`, for a change whose counts depend on the status it starts from.
    private func counted(_ id: String) throws -> (type: String, status: JobStatus, startedAt: Int64?, finishedAt: Int64?)? {
        try connection.queryFirst(JobSQL.counted, [id]) { row in
            (row.text(0), JobStatus(rawValue: row.text(1)) ?? .failed, row.optionalInt64(2), row.optionalInt64(3))
        }
    }

    public func failJob(_ id: String, error: String) async throws -> JobEnd? {
        guard let before = try counted(id) else { return nil }
        let now = clock.nowMillis()
        let end = try connection.queryFirst(JobSQL.fail, [id, now, error]) { row in
            JobEnd(id: id, parentID: row.optionalText(0), type: JobType(row.text(1)), status: .failed, error: error, attempts: row.int(2))
        }
        if end != nil {
            connection.counters.job(before.type, from: before.status, (before.startedAt, before.finishedAt), to: .failed, (before.startedAt, now))
        }
        return end
    }

    public func unstartJobs(_ ids: [String]) async throws {
        let now = clock.nowMillis()
        for id in ids { try backToPending(JobSQL.unstart, [id, now]) }
    }

    public func cancelJob(_ id: String) async throws -> Bool {
        guard let before = try counted(id) else { return false }
        try connection.execute(JobSQL.cancelOne, [id, clock.nowMillis()])
        guard connection.changes > 0 else { return false }
        connection.counters.job(before.type, from: before.status, to: .cancelled)
        return true
    }

    public func jobTree(of id: String) async throws -> [JobNode] {
        try connection.query(JobSQL.subtree, [id]) { row in
            JobNode(id: row.text(0), parentID: row.optionalText(1), type: JobType(row.text(2)),
                    status: JobStatus(rawValue: row.text(3)) ?? .failed, messageID: row.optionalInt64(4), attempts: row.int(5))
        }
    }

    public func deleteJob(_ id: String) async throws {
        // The delete cascades to the descendants (m0002's foreign key): each leaves its counts.
        let removed = try connection.query(JobSQL.subtreeCounted, [id]) { row in
            (type: row.text(0), status: JobStatus(rawValue: row.text(1)) ?? .failed, times: (row.optionalInt64(2), row.optionalInt64(3)))
        }
        try connection.execute(JobSQL.delete, [id])
        guard connection.changes > 0 else { return }
        for job in removed { connection.counters.job(job.type, from: job.status, job.times, to: nil) }
    }

    public func uncountChild(of parentID: String, ended: Bool, failed: Bool) async throws {
        try connection.execute(JobSQL.uncountChild, [parentID, ended ? 1 : 0, failed ? 1 : 0, clock.nowMillis()])
    }

    public func childEnded(of parentID: String, failed: Bool) async throws -> ParentProgress? {
        try connection.queryFirst(JobSQL.childEnded, [parentID, failed, clock.nowMillis()]) { row in
            ParentProgress(id: parentID, parentID: row.optionalText(0), type: JobType(row.text(1)),
                           status: JobStatus(rawValue: row.text(2)) ?? .running, attempts: row.int(3),
                           progress: JobProgress(total: row.int(4), completed: row.int(5), failed: row.int(6)))
        }
    }

    public func settleParent(_ id: String) async throws -> JobEnd? {
        try connection.queryFirst(JobSQL.settle, [id, clock.nowMillis()]) { row in
            let end = JobEnd(id: id, parentID: row.optionalText(2), type: JobType(row.text(3)),
                             status: JobStatus(rawValue: row.text(0)) ?? .failed, error: row.optionalText(1), attempts: row.int(4))
            connection.counters.job(end.type.rawValue, from: .running, to: end.status, (row.optionalInt64(5), row.optionalInt64(6)))
            return end
        }
    }

    public func reviveJobs(_ requeued: [RequeuedMessage]) async throws -> [JobEnd] {
        let now = clock.nowMillis()
        var revived: [JobEnd] = []
        for message in requeued {
            guard let jobID = message.jobID, let before = try counted(jobID),
                  let end = try connection.queryFirst(JobSQL.revive, [jobID, message.id, now], { row in
                      JobEnd(id: jobID, parentID: row.optionalText(0), type: JobType(row.text(1)), status: .pending,
                             error: nil, attempts: row.int(2))
                  })
            else { continue }
            connection.counters.job(before.type, from: before.status, (before.startedAt, before.finishedAt), to: .pending)
            if let parentID = end.parentID { try connection.execute(JobSQL.unendChild, [parentID, now]) }
            revived.append(end)
        }
        return revived
    }

    public func requeueRunningJobs() async throws -> Int {
        let types = try connection.query(JobSQL.requeuedRunning, [clock.nowMillis()]) { $0.text(0) }
        for type in types { connection.counters.job(type, from: .running, to: .pending) }
        return types.count
    }

    public func orphanedJobs() async throws -> [(id: String, reason: String)] {
        try connection.query(JobSQL.orphaned) { (id: $0.text(0), reason: $0.text(1)) }
    }

    public func stalledParents() async throws -> [String] {
        try connection.query(JobSQL.stalledParents) { $0.text(0) }
    }

    // MARK: Reads

    public func job(_ id: String) async throws -> Job? {
        try connection.queryFirst(JobSQL.get, [id], SQLiteRows.job)
    }

    public func children(of parentID: String) async throws -> [Job] {
        try connection.query(JobSQL.children, [parentID], SQLiteRows.job)
    }

    public func descendantProgress(of id: String) async throws -> JobProgress {
        try connection.queryFirst(JobSQL.descendantProgress, [id]) { row in
            JobProgress(total: row.int(0), completed: row.int(1) - row.int(2), failed: row.int(2))
        } ?? JobProgress()
    }

    public func jobs(_ filter: JobFilter) async throws -> [Job] {
        try connection.query(JobListing(filter).sql, JobListing(filter).arguments, SQLiteRows.job)
    }

    public func endedJobs(before cutoff: Int64, statuses: [JobStatus], limit: Int) async throws -> [String] {
        let names = String(decoding: try JSONEncoder().encode(statuses.map(\.rawValue)), as: UTF8.self)
        return try connection.query(JobSQL.endedBefore, [cutoff, names, limit]) { $0.text(0) }
    }

    public func jobStats() async throws -> [JobType: JobTypeStats] {
        var stats: [JobType: JobTypeStats] = [:]
        try connection.query(JobSQL.stats) { row in
            var entry = JobTypeStats()
            entry.pending = row.int(1)
            entry.running = row.int(2)
            entry.completed = row.int(3)
            entry.failed = row.int(4)
            entry.cancelled = row.int(5)
            let runs = row.int64(6)
            if runs > 0 { entry.averageRunTime = .milliseconds(Double(row.int64(7)) / Double(runs)) }
            stats[JobType(row.text(0))] = entry
        }
        return stats
    }

    public func jobEndsPerMinute(since minute: Int64) async throws -> [JobMinuteCounts] {
        var byMinute: [Int64: JobMinuteCounts] = [:]
        try connection.query(JobSQL.endsPerMinute, [minute]) { row in
            let minute = row.int64(0)
            byMinute[minute, default: JobMinuteCounts(minute: minute)].completed += row.int(1)
            byMinute[minute]!.failed += row.int(2)
        }
        return byMinute.values.sorted { $0.minute < $1.minute }
    }
}

/// Reading rows into the engine's values, and JSON into columns.
enum SQLiteRows {
    /// Reads a row selected with `JobSQL.columns`.
    static func job(_ row: Row) throws -> Job {
        Job(id: row.text(0), parentID: row.optionalText(1), type: JobType(row.text(2)),
            status: JobStatus(rawValue: row.text(3)) ?? .failed, config: try object(row.text(4), what: "config"),
            fields: try object(row.text(5), what: "fields"),
            progress: JobProgress(total: row.int(6), completed: row.int(7), failed: row.int(8)),
            message: row.optionalText(9), result: try row.optionalText(10).map { try JSONValue.parse(Data($0.utf8), what: "the result") },
            error: row.optionalText(11), attempts: row.int(12), failOnChildFailure: row.int(13) != 0,
            createdAt: row.int64(14), startedAt: row.optionalInt64(15), finishedAt: row.optionalInt64(16),
            updatedAt: row.int64(17), worker: row.optionalText(18))
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
