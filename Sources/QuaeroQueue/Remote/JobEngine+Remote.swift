/// The job rules of the HTTP worker protocol, over one store transaction: a remote worker's claim (which
/// announces the types it serves), and each call about a job it holds, fenced by the job's lease token.
/// Attempts end through `finish`, as a worker pool's do: max_receive, backoff, dead letters and parents
/// behave alike.
extension JobEngine {
    // MARK: Claim

    /// Announces `claim`'s worker and its types, then leases up to `claim.limit` messages of those types and
    /// starts their jobs. A delivered message whose job already ended is deleted; one sent without a record is
    /// adopted, or dead-lettered when its body is not a job message.
    func claim(_ claim: WorkerClaim, in tx: any StoreTransaction) async throws -> ([LeasedJob], [JobEvent]) {
        let types = Set(claim.types.map(\.rawValue))
        try await tx.announceWorker(name: claim.worker, types: types,
                                    liveFor: WorkerProtocol.announcementLife(wait: claim.wait, lease: claim.lease))
        var request = self.request(limit: claim.limit, owner: nil, types: types, worker: claim.worker)
        request.visibility = claim.lease
        let (claimed, started) = try await self.claim(request, in: tx)
        var events = started.map { event in
            var event = event
            if event.kind == .started { event.worker = claim.worker }
            return event
        }
        let expires = clock.nowMillis() + claim.lease.milliseconds
        var leased: [LeasedJob] = []
        for delivered in claimed {
            let message = delivered.message
            let token = LeaseToken(receipt: message.receipt, duration: claim.lease)
            if let job = delivered.job {
                leased.append(LeasedJob(job: job, lease: token, leaseExpiresAt: expires))
            } else if message.jobID != nil {
                _ = try await tx.delete([message.receipt])  // its job ended meanwhile (cancelled, say): nothing to run
            } else {
                // A message sent without a record (`QueueManager.enqueue`): its body names the job.
                let body: JobMessage
                do {
                    body = try JobMessage.decode(message.body)
                } catch {
                    events += try await deadLetter(message, reason: "\(error)", in: tx)
                    continue
                }
                // (Its record does not name the worker: `startJob` records none.)
                guard let job = try await adopt(body, messageID: message.id, in: tx) else {
                    _ = try await tx.delete([message.receipt])
                    continue
                }
                leased.append(LeasedJob(job: job, lease: token, leaseExpiresAt: expires))
                var event = JobEvent(kind: .started, jobID: job.id, type: job.type, parentID: job.parentID, status: .running,
                                     attempt: job.attempts, at: clock.nowMillis())
                event.worker = claim.worker
                events.append(event)
            }
        }
        return (leased, events)
    }

    // MARK: Calls about a held job

    /// The job `id`, running, whose current delivery `token` names.
    ///
    /// - Throws: `notFound` when there is no such job; `leaseLost` when `token` names no current delivery of it
    ///   (its lease expired and another worker claimed it, it ended, or the token is another job's).
    func leased(_ id: String, _ token: LeaseToken, in tx: any StoreTransaction) async throws -> Job {
        guard let job = try await tx.job(id) else {
            throw QuaeroError(.notFound, "job \(id) does not exist (deleted?); stop working on it")
        }
        return try await leased(job, token, in: tx)
    }

    private func leased(_ job: Job, _ token: LeaseToken, in tx: any StoreTransaction) async throws -> Job {
        guard job.status == .running, try await tx.messages(.id(token.receipt.messageID)).first?.jobID == job.id else {
            throw Self.leaseLost(job)
        }
        return job
    }

    /// Extends the lease `token` names by its duration; returns when it ends.
    /// - Throws: `leaseLost` when the delivery is no longer current.
    func extend(_ job: Job, _ token: LeaseToken, in tx: any StoreTransaction) async throws -> Int64 {
        guard try await tx.extend([token.receipt], by: token.duration).contains(token.receipt) else { throw Self.leaseLost(job) }
        return clock.nowMillis() + token.duration.milliseconds
    }

    /// A heartbeat: extends the lease and renews the worker's announcements; a cancelled job says so instead.
    func heartbeat(_ id: String, _ token: LeaseToken, in tx: any StoreTransaction) async throws -> LeaseStatus {
        guard let job = try await tx.job(id) else {
            throw QuaeroError(.notFound, "job \(id) does not exist (deleted?); stop working on it")
        }
        if job.status == .cancelled { return LeaseStatus(jobID: id, status: .cancelled, leaseExpiresAt: nil) }
        let expires = try await extend(try await leased(job, token, in: tx), token, in: tx)
        if let worker = job.worker {
            try await tx.renewWorker(name: worker, liveFor: WorkerProtocol.announcementLife(wait: .zero, lease: token.duration))
        }
        return LeaseStatus(jobID: id, status: job.status, leaseExpiresAt: expires)
    }

    /// Ends the attempt `token` names with `outcome` (as a worker pool ends its attempts); returns the job after.
    func finish(_ id: String, _ token: LeaseToken, outcome: (Job) -> AttemptOutcome,
                in tx: any StoreTransaction) async throws -> (Job, [JobEvent]) {
        let job = try await leased(id, token, in: tx)
        do {
            let events = try await finish(job, receipt: token.receipt, outcome: outcome(job), in: tx)
            return (try await tx.job(id) ?? job, events)
        } catch let error as QuaeroError where error.code == .leaseLost {
            throw Self.leaseLost(job)  // said of the job, not of its message
        }
    }

    static func leaseLost(_ job: Job) -> QuaeroError {
        let why = job.status.isTerminal
            ? "it ended (\(job.status))"
            : "its lease expired and another worker claimed it, or the token is not this job's"
        return QuaeroError(.leaseLost, "the lease token names no current delivery of job \(job.id): \(why); nothing was changed, stop working on it")
    }
}
