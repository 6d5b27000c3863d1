/// The HTTP worker protocol through the manager (DESIGN §10): workers in any language claim jobs, hold them
/// by their lease tokens, report progress and end them. Each call is one write transaction; attempts end as a
/// worker pool's do (max_receive, backoff, dead letters, parents).
extension JobManager {
    /// Claims up to `claim.limit` jobs of `claim.types` for a remote worker; when none is ready, waits up to
    /// `claim.wait` for one (a long poll). Each claim announces that the worker serves those types, for
    /// `WorkerProtocol.announcementLife` (so in-process pools leave them alone, and jobs of them may be
    /// submitted).
    ///
    /// The wait ends early when this process sends a message to the queue (the store's signals), and claims
    /// again every `pollInterval` meanwhile (other processes' sends, delays ending). Cancelling the calling
    /// task ends the wait with what was claimed (nothing): the answer of a server that shuts down.
    ///
    /// - Throws: what the store throws; nothing is claimed then.
    public func claimJobs(_ claim: WorkerClaim, pollInterval: Duration = .seconds(1)) async throws -> [LeasedJob] {
        let clock = queue.clock
        let deadline = clock.nowMillis() + claim.wait.milliseconds
        // Subscribed before the first claim, so that a send between that claim and the wait is not missed.
        let (attempts, attempt) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let wakeups = claim.wait > .zero ? store.signals.observe(queue: queue.name) { attempt.yield() } : nil
        defer { wakeups?.cancel() }
        attempt.yield()  // claim at once
        return try await withThrowingTaskGroup(of: Void.self) { group in
            if wakeups != nil {
                group.addTask { await clock.every(pollInterval, from: clock.nowMillis()) { attempt.yield() } }
                group.addTask {
                    try? await clock.sleep(until: deadline)
                    attempt.yield()
                }
            }
            defer { group.cancelAll() }
            var leased: [LeasedJob] = []
            for await _ in attempts {
                leased = try await write { tx in try await self.engine.claim(claim, in: tx) }
                if !leased.isEmpty || clock.nowMillis() >= deadline || Task.isCancelled { break }
            }
            return leased
        }
    }

    /// A heartbeat of a job a remote worker holds: extends its lease by the claim's lease duration and says
    /// whether the job was cancelled meanwhile (then the lease ended with it, and the worker should stop).
    ///
    /// - Throws: `notFound` for an unknown job; `leaseLost` when `lease` names no current delivery of it
    ///   (nothing is changed).
    public func heartbeat(job id: String, lease: LeaseToken) async throws -> LeaseStatus {
        try await store.write { tx in try await self.engine.heartbeat(id, lease, in: tx) }
    }

    /// Records the progress a remote worker reports, extending the lease.
    ///
    /// - Throws: `notFound`; `leaseLost` (nothing changed).
    @discardableResult
    public func reportProgress(job id: String, lease: LeaseToken, _ report: ProgressReport) async throws -> Job {
        try await write { tx in
            let job = try await self.engine.leased(id, lease, in: tx)
            _ = try await self.engine.extend(job, lease, in: tx)
            let changes = JobChanges(progress: report.applied(to: job.progress), message: report.message)
            let updated = try await tx.updateJob(id, changes) ?? job
            return (updated, [JobEvent(kind: .progress, jobID: id, type: updated.type, parentID: updated.parentID,
                                       status: updated.status, attempt: updated.attempts, progress: updated.progress,
                                       message: updated.message, at: updated.updatedAt)])
        }
    }

    /// Checks that `lease` names the current delivery of job `id` and extends it (before a remote worker's log
    /// lines are appended through the log service); returns the job.
    ///
    /// - Throws: `notFound`; `leaseLost` (nothing changed).
    @discardableResult
    public func holdLease(job id: String, lease: LeaseToken) async throws -> Job {
        try await store.write { tx in
            let job = try await self.engine.leased(id, lease, in: tx)
            _ = try await self.engine.extend(job, lease, in: tx)
            return job
        }
    }

    /// A remote worker's attempt succeeded with `result`: the job completes (or waits for its children) and its
    /// message is deleted, in one write. Returns the job after.
    ///
    /// - Throws: `notFound`; `leaseLost` (nothing changed: another worker's result stands).
    @discardableResult
    public func complete(job id: String, lease: LeaseToken, result: JSONValue?) async throws -> Job {
        try await write { tx in
            try await self.engine.finish(id, lease, outcome: { _ in .succeeded(result, effects: []) }, in: tx)
        }
    }

    /// A remote worker's attempt failed with `error`: with `.never` the job fails at once and its message is
    /// dead-lettered; otherwise it runs again after the delay (or is dead-lettered at max_receive). Returns the
    /// job after.
    ///
    /// - Throws: `notFound`; `leaseLost` (nothing changed).
    @discardableResult
    public func fail(job id: String, lease: LeaseToken, error: String, retry: RetryPolicy) async throws -> Job {
        try await write { tx in
            try await self.engine.finish(id, lease, outcome: { job in
                switch retry {
                case .never: .unrecoverable(error)
                case .after(let delay): .failed(error, retryAfter: delay)
                case .backoff(let backoff): .failed(error, retryAfter: backoff.delay(afterAttempt: job.attempts))
                }
            }, in: tx)
        }
    }

    /// The remote workers that announced types, live ones and those gone within `WorkerProtocol.forgetAfter`,
    /// by name.
    public func remoteWorkers() async throws -> [RemoteWorker] {
        let records = try await store.read { reader in try await reader.remoteWorkers() }
        return RemoteWorker.grouping(records, at: queue.clock.nowMillis())
    }

    /// Whether a live remote worker serves `type` now.
    public func isServedRemotely(_ type: JobType) async throws -> Bool {
        try await store.read { reader in try await reader.remoteWorkerTypes() }.contains(type.rawValue)
    }
}
