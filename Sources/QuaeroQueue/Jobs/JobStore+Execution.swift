import Foundation

/// A delivered message and the record of the job it runs (nil for a message sent without a record).
struct ClaimedJob: Sendable {
    let message: ReceivedMessage
    let job: Job?
}

/// How an attempt ended, as the worker tells the store.
enum AttemptOutcome: Sendable {
    /// The handler succeeded with this result.
    case succeeded(JSONValue?)
    /// The attempt failed; retry after `delay` unless max_receive is reached.
    case failed(String, retryAfter: Duration)
    /// The job can never succeed: dead-letter at once.
    case unrecoverable(String)
    /// Shutdown cut the attempt short: back to the queue at once, the attempt refunded.
    case interrupted
}

extension JobStore {
    /// Receives up to `limit` messages and starts their jobs, in the caller's transaction. Jobs of messages
    /// that reached max_receive are marked failed on the way.
    func claim(limit: Int, owner: Int64?, in connection: Connection) throws -> ([ClaimedJob], [JobEvent]) {
        let now = clock.nowMillis()
        var events: [JobEvent] = []
        let messages = try queue.receive(limit: limit, owner: owner, in: connection) { messageID, reason in
            events += try self.failJob(messageID: messageID, error: reason, now: now, in: connection)
        }
        guard !messages.isEmpty else { return ([], events) }
        let startable = try connection.prepare(JobSQL.startable)
        let start = try connection.prepare(JobSQL.start)
        var claimed: [ClaimedJob] = []
        claimed.reserveCapacity(messages.count)
        for message in messages {
            startable.bind(1, message.id)
            var job = try startable.first(Self.job)
            if var started = job {
                start.bind([started.id, now])
                try start.run()
                started.status = .running
                started.attempts += 1
                started.startedAt = now
                started.updatedAt = now
                job = started
            }
            claimed.append(ClaimedJob(message: message, job: job))
        }
        return (claimed, events)
    }

    /// Creates (or restarts) the record of a message that was sent without one; nil when the job should not
    /// run (it already ended, or its parent did). A new record is counted on its parent, as `create` does; an
    /// unknown parent is dropped (the job runs on its own).
    func adopt(_ message: JobMessage, messageID: MessageID, in connection: Connection) throws -> Job? {
        var fields = message.fields
        let config = fields.removeValue(forKey: "config")?.objectValue ?? [:]
        let now = clock.nowMillis()
        var parentID = message.parentID
        let isNew = try connection.queryFirst("SELECT 1 FROM jobs WHERE id = ?1", [message.id]) { _ in true } == nil
        if isNew, let parent = parentID {
            let status = try connection.queryFirst(JobSQL.status, [parent]) { JobStatus(rawValue: $0.text(0)) }
            switch status {
            case nil: parentID = nil
            case let status? where status?.isTerminal ?? true: return nil
            default: try connection.execute(JobSQL.countChild, [parent, now])
            }
        }
        return try connection.queryFirst(JobSQL.adopt, [
            message.id, messageID, message.type.rawValue, try Self.encodeObject(config), try Self.encodeObject(fields),
            parentID, now,
        ], Self.job)
    }

    /// Ends one attempt of `job` delivered as `receipt`, in the caller's transaction.
    ///
    /// - Throws: `leaseLost` when the delivery is no longer current (cancelled, reaped, or expired and
    ///   taken by another worker): nothing is changed.
    func finish(_ job: Job, receipt: Receipt, outcome: AttemptOutcome, in connection: Connection) throws -> [JobEvent] {
        let now = clock.nowMillis()
        let base = JobEvent(kind: .completed, jobID: job.id, type: job.type, parentID: job.parentID, status: .completed,
                            attempt: job.attempts, at: now)
        switch outcome {
        case .succeeded(let result):
            try queue.delete(receipt, in: connection)
            let encoded = try result.map(Self.encode)
            // Most jobs have no children: they complete without the general statement and a read back.
            try connection.execute(JobSQL.succeedLeaf, [job.id, now, encoded])
            if connection.changes > 0 { return try [base] + endChild(of: job.parentID, failed: false, now: now, in: connection) }
            try connection.execute(JobSQL.succeed, [job.id, now, encoded])
            guard connection.changes > 0, let (status, error) = try connection.queryFirst(JobSQL.outcome, [job.id], {
                (JobStatus(rawValue: $0.text(0)) ?? .completed, $0.optionalText(1))
            }) else { return [] }
            var event = base
            event.status = status
            event.message = error
            switch status {
            case .running:
                event.kind = .waitingForChildren
                return [event]
            case .failed:
                event.kind = .failed
            default:
                break
            }
            return try [event] + endChild(of: job.parentID, failed: status != .completed, now: now, in: connection)
        case .failed(let error, let delay):
            switch try queue.release(receipt, after: delay, error: error, in: connection) {
            case .requeued:
                try connection.execute(JobSQL.retry, [job.id, now, error])
                var event = base
                (event.kind, event.status, event.message, event.retryAfter) = (.retried, .pending, error, delay)
                return [event]
            case .deadLettered:
                let reason = "failed \(job.attempts) times (max_receive \(queue.options.maxReceive)); last error: \(error)"
                return try failJob(job, error: reason, now: now, in: connection)
            }
        case .unrecoverable(let reason):
            try queue.deadLetter(receipt, reason: reason, in: connection)
            return try failJob(job, error: reason, now: now, in: connection)
        case .interrupted:
            try connection.execute(JobSQL.giveBack, [receipt.messageID, receipt.lease, now])
            if connection.changes == 0 { throw QuaeroError(.leaseLost, "message \(receipt.messageID) is no longer ours") }
            try connection.execute(JobSQL.unstart, [job.id, now])
            return []
        }
    }

    /// Dead-letters a message that cannot run (unknown type, bad body), failing its job if it has one.
    func deadLetter(_ message: ReceivedMessage, reason: String, in connection: Connection) throws -> [JobEvent] {
        try queue.deadLetter(message.receipt, reason: reason, in: connection)
        return try failJob(messageID: message.id, error: reason, now: clock.nowMillis(), in: connection)
    }

    /// Marks `job` failed after its message was dead-lettered, and counts it on its parent.
    private func failJob(_ job: Job, error: String, now: Int64, in connection: Connection) throws -> [JobEvent] {
        try connection.execute(JobSQL.fail, [job.id, now, error])
        guard connection.changes > 0 else { return [] }
        let dead = JobEvent(kind: .deadLettered, jobID: job.id, type: job.type, parentID: job.parentID, status: .failed,
                            attempt: job.attempts, message: error, at: now)
        var failed = dead
        failed.kind = .failed
        return try [dead, failed] + endChild(of: job.parentID, failed: true, now: now, in: connection)
    }

    private func failJob(messageID: MessageID, error: String, now: Int64, in connection: Connection) throws -> [JobEvent] {
        let row = try connection.queryFirst(JobSQL.failByMessage, [messageID, now, error]) {
            ($0.text(0), $0.optionalText(1), JobType($0.text(2)), $0.int(3))
        }
        guard let (id, parentID, type, attempts) = row else { return [] }
        let dead = JobEvent(kind: .deadLettered, jobID: id, type: type, parentID: parentID, status: .failed,
                            attempt: attempts, message: error, at: now)
        var failed = dead
        failed.kind = .failed
        return try [dead, failed] + endChild(of: parentID, failed: true, now: now, in: connection)
    }

    // MARK: Parents

    /// Counts a child's end on its parent and finishes the parent (and so on up) when nothing is left.
    func endChild(of parentID: String?, failed: Bool, now: Int64, in connection: Connection) throws -> [JobEvent] {
        guard let parentID else { return [] }
        try connection.execute(JobSQL.childEnded, [parentID, failed, now])
        guard connection.changes > 0 else { return [] }
        let row = try connection.queryFirst(JobSQL.progress, [parentID]) { row in
            JobEvent(kind: .progress, jobID: parentID, type: JobType(row.text(0)), parentID: row.optionalText(1),
                     status: JobStatus(rawValue: row.text(2)) ?? .running, attempt: row.int(3),
                     progress: JobProgress(total: row.int(4), completed: row.int(5), failed: row.int(6)), at: now)
        }
        guard let progress = row else { return [] }
        return try [progress] + settle(parentID, now: now, in: connection)
    }

    /// Finishes `id` if its handler is done and all its children ended.
    func settle(_ id: String, now: Int64, in connection: Connection) throws -> [JobEvent] {
        let row = try connection.queryFirst(JobSQL.settleable, [id]) { row in
            (fails: row.int(0) != 0, failedChildren: row.int(1), children: row.int(2),
             parentID: row.optionalText(3), type: JobType(row.text(4)), attempts: row.int(5))
        }
        guard let row else { return [] }
        let status: JobStatus = row.fails ? .failed : .completed
        let error = row.fails ? "\(row.failedChildren) of \(row.children) children failed" : nil
        try connection.execute(JobSQL.finishParent, [id, status.rawValue, error, now])
        let event = JobEvent(kind: row.fails ? .failed : .completed, jobID: id, type: row.type, parentID: row.parentID,
                             status: status, attempt: row.attempts, message: error, at: now)
        return try [event] + endChild(of: row.parentID, failed: row.fails, now: now, in: connection)
    }
}
