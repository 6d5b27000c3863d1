import Foundation

/// What workers do with jobs, through the manager: register and heartbeat, claim, and end attempts. The
/// worker pool of this process uses only these; each is one write transaction.
extension JobManager {
    /// Registers a running worker pool; returns its id (never reused).
    func registerPool(name: String, heartbeat: Duration) async throws -> Int64 {
        try await store.write { tx in try await tx.registerPool(name: name, pid: Int(getpid()), heartbeat: heartbeat) }
    }

    /// Releases at once the leases of pools that missed three heartbeats, wherever they ran; returns how many
    /// messages went back. Pools do it at each heartbeat; a leader (`LeaderElection`) may do it too.
    public func releaseLeasesOfDeadPools() async throws -> Int {
        try await reapDeadPools(except: 0)
    }

    /// Releases at once the leases of pools that missed three heartbeats; returns how many went back.
    func reapDeadPools(except asking: Int64) async throws -> Int {
        try await write { tx in
            let (released, events) = try await self.engine.reapDeadPools(except: asking, in: tx)
            return (released.count, events)
        }
    }

    /// One beat of pool `id`, in one write: records that it is alive (registering it again if another pool
    /// reaped it meanwhile), extends the leases it holds (`receipts`) by the visibility timeout, and releases
    /// the leases of pools that missed three heartbeats. Returns which of `receipts` are still current and how
    /// many messages of dead pools went back to the queue.
    func beat(pool id: Int64, name: String, interval: Duration,
              holding receipts: [Receipt]) async throws -> (current: Set<Receipt>, released: Int) {
        let visibility = queue.options.visibilityTimeout
        return try await write { tx in
            try await tx.heartbeat(pool: id, name: name, pid: Int(getpid()), heartbeat: interval)
            let current = receipts.isEmpty ? [] : try await tx.extend(receipts, by: visibility)
            let (released, events) = try await self.engine.reapDeadPools(except: id, in: tx)
            _ = try await tx.forgetWorkers(expiredFor: WorkerProtocol.forgetAfter)
            return ((current, released.count), events)
        }
    }

    /// Unregisters pool `id`, giving back any lease it still holds.
    func unregisterPool(_ id: Int64) async throws {
        _ = try await write { tx in try await self.engine.releaseLeases(ofPool: id, in: tx).1 }
    }

    /// Receives up to `limit` messages for pool `owner` and starts their jobs, leaving alone the types that
    /// `leaving` leaves to remote workers.
    func claim(limit: Int, owner: Int64?, types: Set<String>? = nil, worker: String? = nil,
               leaving: RemoteTypePolicy? = nil) async throws -> [ClaimedMessage] {
        try await claimBatch(request(limit: limit, owner: owner, types: types, worker: worker, leaving: leaving)).claimed
    }

    /// A claim of up to `limit` messages for `owner` (with the per-type max_receive), whose jobs record `worker`,
    /// leaving alone the types that `leaving` leaves to remote workers (a worker pool's policy).
    func request(limit: Int, owner: Int64?, types: Set<String>? = nil, worker: String? = nil,
                 leaving: RemoteTypePolicy? = nil) -> ReceiveRequest {
        var request = engine.request(limit: limit, owner: owner, types: types, worker: worker)
        request.leaving = leaving
        return request
    }

    /// Marks deliveries that run alone, so that a crash of their process counts toward max_receive.
    func markSolo(_ receipts: [Receipt]) async throws -> Set<Receipt> {
        try await store.write { tx in try await tx.markSolo(receipts) }
    }

    /// Records the end of one delivery and, when `next` asks for it, claims that many messages in the same
    /// write. Returns what it claimed.
    ///
    /// - Throws: `leaseLost` when the delivery is no longer current (nothing was changed).
    @discardableResult
    func end(_ message: ReceivedMessage, _ ending: AttemptEnding, next: ReceiveRequest? = nil) async throws -> ClaimBatch {
        try await write { tx in
            var events: [JobEvent]
            switch ending {
            case .attempt(let job, let outcome):
                events = try await self.engine.finish(job, receipt: message.receipt, outcome: outcome, in: tx)
            case .deadLetter(let reason):
                events = try await self.engine.deadLetter(message, reason: reason, in: tx)
            case .discard:
                guard try await tx.delete([message.receipt]).contains(message.receipt) else {
                    throw QuaeroError.leaseLost(message.receipt)
                }
                events = []
            }
            guard let next else { return (ClaimBatch(), events) }
            let (claimed, more) = try await self.engine.claimBatch(next, in: tx)
            return (claimed, events + more)
        }
    }

    /// Records the ends of several successful attempts in one write (`JobEngine.finish(succeeded:in:)`) and,
    /// when `next` asks for it, claims that many messages in the same write. Returns the receipts that were no
    /// longer current (nothing was changed for those) and what it claimed.
    ///
    /// - Throws: what a handler's own write (`onSuccess`) threw, or the store's error: nothing was recorded.
    func end(succeeded successes: [SucceededAttempt], next: ReceiveRequest?) async throws -> (lost: Set<Receipt>, batch: ClaimBatch) {
        try await write { tx in
            let (lost, events) = try await self.engine.finish(succeeded: successes, in: tx)
            guard let next else { return ((lost, ClaimBatch()), events) }
            let (claimed, more) = try await self.engine.claimBatch(next, in: tx)
            return ((lost, claimed), events + more)
        }
    }

    /// Only `request`'s claim, with the batch (after an end that could not be written: its lease was lost; a
    /// pool's claim for its free slots).
    func claimBatch(_ request: ReceiveRequest) async throws -> ClaimBatch {
        try await write { tx in try await self.engine.claimBatch(request, in: tx) }
    }

    /// Creates (or restarts) the record of a delivered message that was sent without one; nil when its job
    /// should not run.
    func adopt(_ message: JobMessage, messageID: MessageID) async throws -> Job? {
        try await store.write { tx in try await self.engine.adopt(message, messageID: messageID, in: tx) }
    }

    /// A handler of `jobID` started in this process: `cancel` reaches it through `signal`. An attempt of the
    /// same job still running here has lost its delivery (the job was claimed again, after its pool was taken
    /// for dead and its lease released): it is told so at once.
    func attemptBegan(_ jobID: String, signal: CancelSignal) {
        running.insert(jobID, signal)?.fire(.leaseLost)
    }

    /// The handler of `jobID` that `signal` stops ended.
    func attemptEnded(_ jobID: String, signal: CancelSignal) {
        running.remove(jobID, signal)
    }

    /// Publishes an event that no write carries (for example a handler's start).
    func publish(_ event: JobEvent) {
        bus.publish(event)
    }
}

/// How a delivery ends.
enum AttemptEnding: Sendable {
    /// The attempt ran: record its outcome.
    case attempt(Job, AttemptOutcome)
    /// The message cannot run: dead-letter it with the reason.
    case deadLetter(String)
    /// The message belongs to a job that already ended: delete it.
    case discard
}

extension JobManager {
    /// The worker pools registered in the store (running, or dead and not reaped yet), oldest first. Also
    /// what a health check reads: it fails when the store cannot be read.
    public func workerPools() async throws -> [WorkerPoolRecord] {
        try await store.read { reader in try await reader.workerPools() }
    }
}
