import Logging
public import QuaeroQueue

/// The `cleanup` job: deletes finished top-level jobs older than the request's age whose status is in its
/// filter (each with its children, their messages and their logs), then prunes old dead letters.
///
/// Only top-level jobs are candidates: a child goes with its parent, so a running crawl never loses
/// finished pages from its counters. Documents stay; their `job_id` becomes null.
public struct CleanupJob: Sendable {
    /// The jobs to clean up.
    public let manager: JobManager
    /// Dead letters older than this are deleted by every cleanup; nil keeps them.
    public let deadLetterAge: Duration?
    /// The job logs, when each step should be written there.
    public let logs: LogService?
    /// The time that ages are measured from.
    private let clock: any QuaeroClock

    /// Creates the job's handler.
    public init(manager: JobManager, deadLetterAge: Duration? = .seconds(30 * 86_400), logs: LogService? = nil,
                clock: any QuaeroClock = SystemClock()) {
        self.manager = manager
        self.deadLetterAge = deadLetterAge
        self.logs = logs
        self.clock = clock
    }

    /// Registers the handler for `cleanup` jobs on `pool`.
    public func register(on pool: WorkerPool) {
        pool.register(.cleanup) { try await self.run($0) }
    }

    /// Runs one job: `{"deleted_jobs": n, "dead_letters_purged": n}` is its result.
    /// - Throws: `UnrecoverableJobError` for a bad config; database errors (the attempt is retried).
    public func run(_ context: JobContext) async throws -> JSONValue? {
        let request = try readJobConfig { () throws(JobConfigError) in try CleanupRequest(json: .object(context.config)) }
        let ids = try await candidates(request)
        context.jobLogger(logs).info("cleanup: \(ids.count) jobs finished \(request.ageThresholdDays) or more days ago with status \(request.statusFilter.joined(separator: "/"))")
        var deleted = 0
        for id in ids {
            try context.checkCancellation()
            do {
                try await manager.deleteJob(id)
                deleted += 1
            } catch let error as QuaeroError where error.code == .notFound {
                continue  // deleted meanwhile by someone else
            }
            try await context.reportProgress(completed: deleted, total: ids.count)
        }
        var purged = 0
        if let deadLetterAge {
            purged = try await manager.queue.purgeDeadLetters(olderThan: deadLetterAge)
        }
        context.jobLogger(logs).info("cleanup: deleted \(deleted) jobs and \(purged) dead letters")
        return .object(["deleted_jobs": .number(Double(deleted)), "dead_letters_purged": .number(Double(purged))])
    }

    /// The top-level jobs to delete, oldest first.
    func candidates(_ request: CleanupRequest) async throws -> [String] {
        let cutoff = request.cutoff(nowMillis: clock.nowMillis())
        let statuses = request.statusFilter
        let placeholders = Array(repeating: "?", count: statuses.count).joined(separator: ", ")
        let arguments: [any SQLBindable] = statuses.map { $0 as any SQLBindable } + [cutoff]
        return try await manager.database.read { connection in
            try connection.query("""
                SELECT id FROM jobs
                WHERE parent_id IS NULL AND status IN (\(placeholders)) AND finished_at IS NOT NULL AND finished_at < ?
                ORDER BY finished_at
                """, arguments) { $0.text(0) }
        }
    }
}
