import Foundation
public import QuaeroQueue

/// Job records: create, start, end, parents, cancel, delete and reconciliation.
extension PostgresTransaction {
    public func insertJob(_ record: NewJobRecord) async throws -> Job {
        let now = self.now
        let rows = try await rows(JobSQL.Insert.self, now, record.id, record.parentID, record.type.rawValue,
                                  try JSONValue.storedText(of: record.config), try JSONValue.storedText(of: record.fields),
                                  record.messageID, record.failOnChildFailure, record.uniqueKey)
        return Self.pending(record, createdAt: try rows.first?.int64(0) ?? now ?? 0)
    }

    /// One statement for all of `records` (arrays unnested), one for a single record (the plan of `insertJob`).
    public func insertJobs(_ records: [NewJobRecord]) async throws -> [Job] {
        guard records.count > 1 else { return records.isEmpty ? [] : [try await insertJob(records[0])] }
        let now = self.now
        let rows = try await rows(JobSQL.InsertMany.self, now, records.map(\.id), PostgresNullableArray(records.map(\.parentID)),
                                  records.map(\.type.rawValue), try records.map { try JSONValue.storedText(of: $0.config) },
                                  try records.map { try JSONValue.storedText(of: $0.fields) }, records.map(\.messageID),
                                  records.map(\.failOnChildFailure), PostgresNullableArray(records.map(\.uniqueKey)))
        let created = try rows.first?.int64(0) ?? now ?? 0
        return records.map { Self.pending($0, createdAt: created) }
    }

    /// The job `record` made, as stored at `createdAt`.
    private static func pending(_ record: NewJobRecord, createdAt: Int64) -> Job {
        Job(id: record.id, parentID: record.parentID, type: record.type, status: .pending, config: record.config,
            fields: record.fields, progress: JobProgress(), message: nil, result: nil, error: nil, attempts: 0,
            failOnChildFailure: record.failOnChildFailure, createdAt: createdAt, startedAt: nil, finishedAt: nil, updatedAt: createdAt)
    }

    public func countChildren(of parentID: String, count: Int) async throws -> JobStatus? {
        guard let row = try await first(JobSQL.CountChildren.self, now, parentID, Int64(count)) else { return nil }
        return try row.bool(0) ? .running : JobStatus(rawValue: try row.text(1)) ?? .failed
    }

    public func attachMessage(_ messageID: MessageID, toJob jobID: String) async throws {
        try await command(JobSQL.AttachMessage.self, messageID, jobID)
    }

    public func startJob(_ id: String) async throws -> Job? {
        try await first(JobSQL.Start.self, now, id).map { try PostgresRows.job($0) }
    }

    public func updateJob(_ id: String, _ changes: JobChanges) async throws -> Job? {
        let progress = changes.progress
        return try await first(JobSQL.Update.self, now, id, try changes.config.map(JSONValue.storedText(of:)), progress != nil,
                               Int64(progress?.total ?? 0), Int64(progress?.completed ?? 0), Int64(progress?.failed ?? 0),
                               changes.message, try changes.result.map { try $0.storedText() })
            .map { try PostgresRows.job($0) }
    }

    public func completeJob(_ job: Job, result: JSONValue?) async throws -> JobEnd? {
        try await first(JobSQL.Succeed.self, now, job.id, try result.map { try $0.storedText() }).map { row in
            JobEnd(id: job.id, parentID: job.parentID, type: job.type, status: JobStatus(rawValue: try row.text(0)) ?? .completed,
                   error: try row.optionalText(1), attempts: job.attempts)
        }
    }

    public func completeJobs(_ completions: [JobCompletion]) async throws -> [JobEnd?] {
        guard completions.count > 1 else {
            guard let only = completions.first else { return [] }
            return [try await completeJob(only.job, result: only.result)]
        }
        let results = try completions.map { try $0.result.map { try $0.storedText() } }
        var ended: [String: (status: String, error: String?)] = [:]
        for row in try await rows(JobSQL.SucceedMany.self, now, completions.map(\.job.id), PostgresNullableArray(results)) {
            ended[try row.text(0)] = (try row.text(1), try row.optionalText(2))
        }
        return Self.ends(of: completions, ended)
    }

    /// The end of each of `completions` whose job is in `ended` (by id: its status and error), in order.
    private static func ends(of completions: [JobCompletion], _ ended: [String: (status: String, error: String?)]) -> [JobEnd?] {
        completions.map { completion in
            let job = completion.job
            return ended[job.id].map { end in
                JobEnd(id: job.id, parentID: job.parentID, type: job.type, status: JobStatus(rawValue: end.status) ?? .completed,
                       error: end.error, attempts: job.attempts)
            }
        }
    }

    /// One statement (`JobSQL.DeleteAndSucceedMany`), for one delivery as for a batch: its generic plan is kept
    /// (`plan_cache_mode`, `PostgresConnector.settings`), where `delete` then `completeJob` took two statements.
    public func deleteAndCompleteJobs(_ completions: [JobCompletion], receipts: [Receipt]) async throws -> (deleted: Set<Receipt>, ends: [JobEnd?]) {
        guard !completions.isEmpty else { return ([], []) }
        let results = try completions.map { try $0.result.map { try $0.storedText() } }
        var deleted: Set<Receipt> = []
        var ended: [String: (status: String, error: String?)] = [:]
        for row in try await rows(JobSQL.DeleteAndSucceedMany.self, now, receipts.map(\.messageID), receipts.map(\.lease),
                                  completions.map(\.job.id), PostgresNullableArray(results)) {
            if row.isNull(0) {
                ended[try row.text(2)] = (try row.text(3), try row.optionalText(4))
            } else {
                deleted.insert(Receipt(messageID: try row.int64(0), lease: try row.int64(1)))
            }
        }
        return (deleted, Self.ends(of: completions, ended))
    }

    public func retryJob(_ id: String, error: String) async throws {
        try await command(JobSQL.Retry.self, now, id, error)
    }

    public func failJob(_ id: String, error: String) async throws -> JobEnd? {
        try await first(JobSQL.Fail.self, now, id, error).map { row in
            JobEnd(id: id, parentID: try row.optionalText(0), type: JobType(try row.text(1)), status: .failed, error: error,
                   attempts: try row.int(2))
        }
    }

    public func unstartJobs(_ ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await command(JobSQL.Unstart.self, now, ids)
    }

    public func cancelJob(_ id: String) async throws -> Bool {
        try await command(JobSQL.CancelOne.self, now, id) > 0
    }

    public func jobTree(of id: String) async throws -> [JobNode] {
        try await rows(JobSQL.Subtree.self, id).map { row in
            JobNode(id: try row.text(0), parentID: try row.optionalText(1), type: JobType(try row.text(2)),
                    status: JobStatus(rawValue: try row.text(3)) ?? .failed, messageID: try row.optionalInt64(4), attempts: try row.int(5))
        }
    }

    public func deleteJob(_ id: String) async throws {
        try await command(JobSQL.Delete.self, id)
    }

    public func uncountChild(of parentID: String, ended: Bool, failed: Bool) async throws {
        try await command(JobSQL.UncountChild.self, now, parentID, Int64(ended ? 1 : 0), Int64(failed ? 1 : 0))
    }

    public func childEnded(of parentID: String, failed: Bool) async throws -> ParentProgress? {
        try await first(JobSQL.ChildEnded.self, now, parentID, Int64(failed ? 1 : 0)).map { row in
            ParentProgress(id: parentID, parentID: try row.optionalText(0), type: JobType(try row.text(1)),
                           status: JobStatus(rawValue: try row.text(2)) ?? .running, attempts: try row.int(3),
                           progress: JobProgress(total: try row.int(4), completed: try row.int(5), failed: try row.int(6)))
        }
    }

    public func settleParent(_ id: String) async throws -> JobEnd? {
        try await first(JobSQL.Settle.self, now, id).map { row in
            JobEnd(id: id, parentID: try row.optionalText(2), type: JobType(try row.text(3)),
                   status: JobStatus(rawValue: try row.text(0)) ?? .failed, error: try row.optionalText(1), attempts: try row.int(4))
        }
    }

    public func reviveJobs(_ requeued: [RequeuedMessage]) async throws -> [JobEnd] {
        var revived: [JobEnd] = []
        for message in requeued {
            guard let jobID = message.jobID, let row = try await first(JobSQL.Revive.self, now, jobID, message.id) else { continue }
            revived.append(JobEnd(id: jobID, parentID: try row.optionalText(0), type: JobType(try row.text(1)), status: .pending,
                                  error: nil, attempts: try row.int(2)))
        }
        return revived
    }

    public func requeueRunningJobs() async throws -> Int {
        try await command(JobSQL.RequeuedRunning.self, now)
    }

    public func orphanedJobs() async throws -> [(id: String, reason: String)] {
        try await rows(JobSQL.Orphaned.self).map { (id: try $0.text(0), reason: try $0.text(1)) }
    }

    public func stalledParents() async throws -> [String] {
        try await rows(JobSQL.StalledParents.self).map { try $0.text(0) }
    }

    // MARK: Reads

    public func job(_ id: String) async throws -> Job? {
        try await first(JobSQL.Get.self, id).map { try PostgresRows.job($0) }
    }

    public func children(of parentID: String) async throws -> [Job] {
        try await rows(JobSQL.Children.self, parentID).map { try PostgresRows.job($0) }
    }

    public func jobs(_ filter: JobFilter) async throws -> [Job] {
        let listing = PostgresJobListing(filter)
        return try await query(listing.sql, listing.values).map { try PostgresRows.job($0) }
    }

    public func endedJobs(before cutoff: Int64, statuses: [JobStatus], limit: Int) async throws -> [String] {
        try await rows(JobSQL.EndedBefore.self, cutoff, statuses.map(\.rawValue), Int64(limit)).map { try $0.text(0) }
    }

    public func jobStats() async throws -> [JobType: JobTypeStats] {
        var stats: [JobType: JobTypeStats] = [:]
        for row in try await rows(JobSQL.Stats.self) {
            var entry = JobTypeStats()
            entry.pending = try row.int(1)
            entry.running = try row.int(2)
            entry.completed = try row.int(3)
            entry.failed = try row.int(4)
            entry.cancelled = try row.int(5)
            let runs = try row.int64(6)
            if runs > 0 { entry.averageRunTime = .milliseconds(Double(try row.int64(7)) / Double(runs)) }
            stats[JobType(try row.text(0))] = entry
        }
        return stats
    }

    public func jobEndsPerMinute(since minute: Int64) async throws -> [JobMinuteCounts] {
        try await rows(JobSQL.EndsPerMinute.self, minute).map { row in
            JobMinuteCounts(minute: try row.int64(0), completed: try row.int(1), failed: try row.int(2))
        }
    }

    public func descendantProgress(of id: String) async throws -> JobProgress {
        guard let row = try await first(JobSQL.DescendantProgress.self, id) else { return JobProgress() }
        return JobProgress(total: try row.int(0), completed: try row.int(1) - (try row.int(2)), failed: try row.int(2))
    }

    public func snoozeJob(_ id: String) async throws {
        try await command(JobSQL.Snooze.self, now, id)
    }

    public func uniqueJob(key: String, since: Int64, statuses: [JobStatus]) async throws -> Job? {
        try await first(JobSQL.Unique.self, key, since, statuses.map(\.rawValue)).map { try PostgresRows.job($0) }
    }
}

/// Reading rows into the engine's values.
enum PostgresRows {
    /// Reads the columns of `JobSQL.columns`, starting at column `start`.
    static func job(_ row: PostgresColumns, from start: Int = 0) throws -> Job {
        let c = start
        return Job(id: try row.text(c), parentID: try row.optionalText(c + 1), type: JobType(try row.text(c + 2)),
                   status: JobStatus(rawValue: try row.text(c + 3)) ?? .failed,
                   config: try JSONValue.storedObject(try row.text(c + 4), what: "config"),
                   fields: try JSONValue.storedObject(try row.text(c + 5), what: "fields"),
                   progress: JobProgress(total: try row.int(c + 6), completed: try row.int(c + 7), failed: try row.int(c + 8)),
                   message: try row.optionalText(c + 9),
                   result: try row.optionalText(c + 10).map { try JSONValue.parse(Data($0.utf8), what: "the result") },
                   error: try row.optionalText(c + 11), attempts: try row.int(c + 12), failOnChildFailure: try row.bool(c + 13),
                   createdAt: try row.int64(c + 14), startedAt: try row.optionalInt64(c + 15), finishedAt: try row.optionalInt64(c + 16),
                   updatedAt: try row.int64(c + 17), worker: try row.optionalText(c + 18))
    }
}
