import Foundation

/// The job rules, over one store transaction: creating jobs, starting and ending attempts, counting a child's
/// end on its parent and settling parents. It holds no state and no SQL: `JobManager` calls it inside
/// `QuaeroStore.write` and publishes the events it returns once that transaction has committed.
struct JobEngine: Sendable {
    /// The queue that carries the jobs' messages.
    let queue: Queue
    /// Per-type policies and the limits of limit keys.
    let policies: JobPolicies

    var clock: any QuaeroClock { queue.clock }

    // MARK: Create

    /// Writes the record and sends its message; returns the job (the existing one on a dedup-key hit, or
    /// for a unique job whose key is held).
    ///
    /// - Throws: `invalidArgument` for a bad id, delay, key or unique rule; `notFound` for an unknown parent;
    ///   `conflict` for a parent that already ended; `queueFull` when the queue holds `max_ready` ready messages.
    func create(_ spec: JobSpec, in tx: any StoreTransaction) async throws -> (Job, [JobEvent]) {
        let id = try Self.checkedID(spec)
        if let unique = spec.unique {
            try unique.validate()
            let since = clock.nowMillis() - unique.period.milliseconds
            let statuses = JobStatus.allCases.filter(unique.statuses.contains)
            if let existing = try await tx.uniqueJob(key: unique.key, since: since, statuses: statuses) { return (existing, []) }
        }
        let message = try self.message(spec, id: id)
        try await queue.checkRoom(in: tx)
        let sent = try await tx.send([message], queue: queue.name)[0]
        guard sent.stored else {
            if let existing = sent.jobID, let job = try await tx.job(existing) { return (job, []) }
            throw QuaeroError(.conflict, "the dedup key \"\(spec.key ?? "")\" is held by message \(sent.id), which runs no job; choose another key")
        }
        if let parentID = spec.parentID { try await count(children: 1, on: parentID, in: tx) }
        let job = try await tx.insertJob(Self.record(spec, id: id, messageID: sent.id))
        return (job, [Self.created(job)])
    }

    /// Creates `specs` in order, all in `tx`. Plain specs (no dedup key, no unique rule: nothing to look up
    /// first) go with one statement per kind of row instead of a round of statements per job: a crawled page's
    /// new links cost PostgreSQL about 5 ms each, one round trip per statement per child.
    ///
    /// - Throws: as `create(_:in:)`; nothing of `specs` is stored then (the caller's transaction fails).
    func create(_ specs: [JobSpec], in tx: any StoreTransaction) async throws -> ([Job], [JobEvent]) {
        guard specs.count > 1, specs.allSatisfy({ $0.key == nil && $0.unique == nil }) else {
            var jobs: [Job] = []
            var events: [JobEvent] = []
            for spec in specs {
                let (job, more) = try await create(spec, in: tx)
                jobs.append(job)
                events += more
            }
            return (jobs, events)
        }
        let ids = try specs.map(Self.checkedID)
        let messages = try zip(specs, ids).map { try message($0, id: $1) }
        try await queue.checkRoom(in: tx, adding: specs.count)
        let sent = try await tx.send(messages, queue: queue.name)
        var children: [(parentID: String, count: Int)] = []
        for parentID in specs.compactMap(\.parentID) {
            if let last = children.indices.last, children[last].parentID == parentID {
                children[last].count += 1
            } else {
                children.append((parentID, 1))
            }
        }
        for (parentID, count) in children { try await self.count(children: count, on: parentID, in: tx) }
        let jobs = try await tx.insertJobs(zip(specs, zip(ids, sent)).map { Self.record($0, id: $1.0, messageID: $1.1.id) })
        return (jobs, jobs.map(Self.created))
    }

    /// The id of the job `spec` creates: its own (checked) or a new one.
    private static func checkedID(_ spec: JobSpec) throws -> String {
        if let given = spec.id, !JobID.isValid(given) {
            throw QuaeroError(.invalidArgument, "job id \"\(given)\" is not 26 characters of lowercase Crockford base32; omit it to get a new one")
        }
        if let key = spec.limitKey, key.isEmpty {
            throw QuaeroError(.invalidArgument, "the limit key is empty; omit it or give a key such as host:example.com")
        }
        return spec.id ?? JobMessage.newID()
    }

    /// The message that runs job `id` of `spec`: the config and fields live in the job's record only, the
    /// message just names the job.
    private func message(_ spec: JobSpec, id: String) throws -> NewMessage {
        let outgoing = OutgoingMessage(body: Data(), type: spec.type.rawValue, delay: spec.delay, priority: spec.priority, key: spec.key)
        try Queue.validate(outgoing)
        return NewMessage(outgoing, jobID: id, limits: policies.messageLimits(for: spec))
    }

    /// Counts `count` new children on `parentID`.
    /// - Throws: `notFound` for an unknown parent, `conflict` for one that already ended.
    private func count(children count: Int, on parentID: String, in tx: any StoreTransaction) async throws {
        guard let status = try await tx.countChildren(of: parentID, count: count) else {
            throw QuaeroError(.notFound, "parent job \(parentID) does not exist; create the parent first")
        }
        if status.isTerminal {
            throw QuaeroError(.conflict, "parent job \(parentID) already ended (\(status)); a child cannot be added to it")
        }
    }

    /// The record of job `id` of `spec`, run by message `messageID`.
    private static func record(_ spec: JobSpec, id: String, messageID: MessageID) -> NewJobRecord {
        var fields = spec.fields
        fields["config"] = nil  // the config is its own field
        return NewJobRecord(id: id, parentID: spec.parentID, type: spec.type, config: spec.config, fields: fields, messageID: messageID,
                            failOnChildFailure: spec.failOnChildFailure, uniqueKey: spec.unique?.key)
    }

    /// The event of `job`'s creation.
    private static func created(_ job: Job) -> JobEvent {
        JobEvent(kind: .created, jobID: job.id, type: job.type, parentID: job.parentID, status: .pending, at: job.createdAt)
    }

    /// Creates (or restarts) the record of a message that was sent without one (`QueueManager.enqueue`); nil
    /// when the job should not run (it already ended, or its parent did). An unknown parent is dropped (the
    /// job runs on its own).
    func adopt(_ message: JobMessage, messageID: MessageID, in tx: any StoreTransaction) async throws -> Job? {
        if let existing = try await tx.job(message.id) {
            guard !existing.status.isTerminal else { return nil }
        } else {
            var parentID = message.parentID
            if let parent = parentID {
                switch try await tx.countChildren(of: parent, count: 1) {
                case nil: parentID = nil
                case let status? where status.isTerminal: return nil
                default: break
                }
            }
            var fields = message.fields
            let config = fields.removeValue(forKey: "config")?.objectValue ?? [:]
            _ = try await tx.insertJob(NewJobRecord(id: message.id, parentID: parentID, type: message.type, config: config,
                                                    fields: fields, messageID: messageID, failOnChildFailure: true))
        }
        try await tx.attachMessage(messageID, toJob: message.id)
        return try await tx.startJob(message.id)
    }

    // MARK: Attempts

    /// A claim of up to `limit` messages of the queue for `owner` (whose jobs record `worker`), with the
    /// per-type max_receive.
    func request(limit: Int, owner: Int64?, types: Set<String>? = nil, worker: String? = nil) -> ReceiveRequest {
        var request = queue.request(limit: limit, owner: owner, types: types, worker: worker)
        request.maxReceiveByType = policies.maxReceiveByType
        return request
    }

    /// The max_receive of `type`.
    func maxReceive(of type: JobType) -> Int { policies.maxReceive(of: type) ?? queue.options.maxReceive }

    /// Receives up to `request.limit` messages and starts their jobs. Jobs of messages that reached
    /// max_receive are marked failed on the way.
    func claim(_ request: ReceiveRequest, in tx: any StoreTransaction) async throws -> ([ClaimedMessage], [JobEvent]) {
        let (batch, events) = try await claimBatch(request, in: tx)
        return (batch.claimed, events)
    }

    /// As `claim`, with the whole batch (the time a rate-limited key allows its next start, among others).
    func claimBatch(_ request: ReceiveRequest, in tx: any StoreTransaction) async throws -> (ClaimBatch, [JobEvent]) {
        let batch = try await tx.claim(request)
        var events: [JobEvent] = []
        for exhausted in batch.exhausted {
            if let jobID = exhausted.jobID { events += try await fail(jobID, error: exhausted.reason, deadLettered: true, in: tx) }
        }
        let now = clock.nowMillis()
        for claimed in batch.claimed {
            guard let job = claimed.job else { continue }
            events.append(JobEvent(kind: .started, jobID: job.id, type: job.type, parentID: job.parentID, status: .running,
                                   attempt: job.attempts, at: now))
        }
        return (batch, events)
    }

    /// Ends one attempt of `job` delivered as `receipt`.
    ///
    /// - Throws: `leaseLost` when the delivery is no longer current (cancelled, reaped, or expired and taken
    ///   by another worker): the caller's transaction must roll back, so that nothing is changed.
    func finish(_ job: Job, receipt: Receipt, outcome: AttemptOutcome, in tx: any StoreTransaction) async throws -> [JobEvent] {
        switch outcome {
        case .succeeded(var result, let effects):
            guard try await tx.delete([receipt]).contains(receipt) else { throw QuaeroError.leaseLost(receipt) }
            for effect in effects {
                if let replaced = try await effect(tx) { result = replaced }
            }
            return try await completed(tx.completeJob(job, result: result), in: tx)
        case .failed(let error, let delay):
            let maxReceive = maxReceive(of: job.type)
            switch try await tx.release(receipt, after: delay, error: error, maxReceive: maxReceive) {
            case nil:
                throw QuaeroError.leaseLost(receipt)
            case .requeued?:
                try await tx.retryJob(job.id, error: error)
                var retried = JobEvent(kind: .retried, jobID: job.id, type: job.type, parentID: job.parentID, status: .pending,
                                       attempt: job.attempts, message: error, at: clock.nowMillis())
                retried.retryAfter = delay
                return [retried]
            case .deadLettered?:
                let reason = "failed \(job.attempts) times (max_receive \(maxReceive)); last error: \(error)"
                return try await fail(job.id, error: reason, deadLettered: true, in: tx)
            }
        case .snoozed(let delay):
            guard try await tx.snooze(receipt, after: delay) else { throw QuaeroError.leaseLost(receipt) }
            try await tx.snoozeJob(job.id)
            var snoozed = JobEvent(kind: .snoozed, jobID: job.id, type: job.type, parentID: job.parentID, status: .pending,
                                   attempt: job.attempts, at: clock.nowMillis())
            snoozed.retryAfter = delay
            return [snoozed]
        case .unrecoverable(let reason):
            guard try await tx.deadLetter(receipt, reason: reason) else { throw QuaeroError.leaseLost(receipt) }
            return try await fail(job.id, error: reason, deadLettered: true, in: tx)
        case .interrupted:
            guard try await tx.giveBack(receipt) else { throw QuaeroError.leaseLost(receipt) }
            try await tx.unstartJobs([job.id])
            return []
        }
    }

    /// Ends several successful attempts in one transaction: their messages are deleted in one call (fenced by
    /// each delivery's lease), the handlers' own writes (`onSuccess`) of those still current run in turn, and
    /// their jobs complete in one call (`completeJobs`). A delivery that is no longer current is left alone
    /// (its writes do not run) and returned among `lost`, as `finish` would have thrown `leaseLost` for it.
    ///
    /// - Throws: what a handler's write threw: the caller's transaction must roll back (none of the ends is
    ///   recorded); the pool then records each end alone.
    func finish(succeeded successes: [SucceededAttempt], in tx: any StoreTransaction) async throws -> (lost: Set<Receipt>, events: [JobEvent]) {
        let receipts = successes.map(\.receipt)
        let current: Set<Receipt>
        let ends: [JobEnd?]
        if successes.allSatisfy({ $0.effects.isEmpty }) {
            // Nothing of the handlers' to write between the delete and the completions: one call (on PostgreSQL,
            // one statement instead of two round trips per batch).
            (current, ends) = try await tx.deleteAndCompleteJobs(successes.map { JobCompletion(job: $0.job, result: $0.result) },
                                                                 receipts: receipts)
        } else {
            current = try await tx.delete(receipts)
            var completions: [JobCompletion] = []
            for success in successes where current.contains(success.receipt) {
                var result = success.result
                for effect in success.effects {
                    if let replaced = try await effect(tx) { result = replaced }
                }
                completions.append(JobCompletion(job: success.job, result: result))
            }
            ends = try await tx.completeJobs(completions)
        }
        var events: [JobEvent] = []
        // Parents in one order, so that two batches ending children of the same parents lock them alike.
        for end in ends.compactMap({ $0 }).sorted(by: { ($0.parentID ?? "", $0.id) < ($1.parentID ?? "", $1.id) }) {
            events += try await completed(end, in: tx)
        }
        return (Set(receipts).subtracting(current), events)
    }

    /// The events of a job whose handler succeeded, as `completeJob` left it (nil: it was not running), and its
    /// parent's.
    private func completed(_ end: JobEnd?, in tx: any StoreTransaction) async throws -> [JobEvent] {
        guard let end else { return [] }
        var event = event(.completed, end)
        switch end.status {
        case .running:
            event.kind = .waitingForChildren
            return [event]
        case .completed:
            return try await [event] + endChild(of: end.parentID, failed: false, in: tx)
        default:
            event.kind = .failed
            return try await [event] + endChild(of: end.parentID, failed: true, in: tx)
        }
    }

    /// Dead-letters a message that cannot run (unknown type, bad body), failing its job if it has one.
    func deadLetter(_ message: ReceivedMessage, reason: String, in tx: any StoreTransaction) async throws -> [JobEvent] {
        guard try await tx.deadLetter(message.receipt, reason: reason) else { throw QuaeroError.leaseLost(message.receipt) }
        guard let jobID = message.jobID else { return [] }
        return try await fail(jobID, error: reason, deadLettered: true, in: tx)
    }

    /// Ends unfinished job `id` as failed (its message was dead-lettered, or is gone), and counts it on its parent.
    func fail(_ id: String, error: String, deadLettered: Bool, in tx: any StoreTransaction) async throws -> [JobEvent] {
        guard let end = try await tx.failJob(id, error: error) else { return [] }
        let failed = event(.failed, end)
        var dead = failed
        dead.kind = .deadLettered
        return try await (deadLettered ? [dead, failed] : [failed]) + endChild(of: end.parentID, failed: true, in: tx)
    }

    // MARK: Parents

    /// Counts a child's end on its parent and ends the parent (and so on up) when nothing is left.
    func endChild(of parentID: String?, failed: Bool, in tx: any StoreTransaction) async throws -> [JobEvent] {
        guard let parentID, let parent = try await tx.childEnded(of: parentID, failed: failed) else { return [] }
        let progress = JobEvent(kind: .progress, jobID: parent.id, type: parent.type, parentID: parent.parentID,
                                status: parent.status, attempt: parent.attempts, progress: parent.progress, at: clock.nowMillis())
        return try await [progress] + settle(parentID, in: tx)
    }

    /// Ends `id` if its handler is done and all its children ended.
    func settle(_ id: String, in tx: any StoreTransaction) async throws -> [JobEvent] {
        guard let end = try await tx.settleParent(id) else { return [] }
        let failed = end.status != .completed
        return try await [event(failed ? .failed : .completed, end)] + endChild(of: end.parentID, failed: failed, in: tx)
    }

    /// The event of `kind` for a job as `end` describes it.
    func event(_ kind: JobEvent.Kind, _ end: JobEnd) -> JobEvent {
        JobEvent(kind: kind, jobID: end.id, type: end.type, parentID: end.parentID, status: end.status,
                 attempt: end.attempts, message: end.error, at: clock.nowMillis())
    }
}

/// How an attempt ended, as the worker tells the engine.
enum AttemptOutcome: Sendable {
    /// The handler succeeded with this result; `effects` (the handler's own writes) run in the same
    /// transaction, and a non-nil value one of them returns replaces the result.
    case succeeded(JSONValue?, effects: [SuccessEffect])
    /// The attempt failed; retry after `retryAfter` unless max_receive is reached.
    case failed(String, retryAfter: Duration)
    /// The job can never succeed: dead-letter at once.
    case unrecoverable(String)
    /// The handler snoozed: back to the queue after the delay, the attempt not counted.
    case snoozed(Duration)
    /// Shutdown cut the attempt short: back to the queue at once, the attempt refunded.
    case interrupted
}

/// An attempt whose handler succeeded, delivered as `receipt`, ended together with others (`JobEngine.finish(succeeded:in:)`).
struct SucceededAttempt: Sendable {
    let job: Job
    let receipt: Receipt
    let result: JSONValue?
    let effects: [SuccessEffect]
}

/// A handler's write that commits together with its job's success (see `JobContext.onSuccess`).
public typealias SuccessEffect = @Sendable (any StoreTransaction) async throws -> JSONValue?
