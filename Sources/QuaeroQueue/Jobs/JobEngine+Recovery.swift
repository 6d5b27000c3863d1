/// What a crash leaves behind: the leases of dead worker pools, records out of step with the queue, and
/// dead letters put back.
extension JobEngine {
    /// The prefix of the last error a delivery gets when its pool died; the next delivery is a suspect and
    /// runs alone.
    static let diedPrefix = "its worker pool died while running it"

    /// Gives back every lease of pool `id` and forgets the pool. Their jobs wait again; each gets an event
    /// that says whether the lost attempt counts toward max_receive.
    func releaseLeases(ofPool id: Int64, in tx: any StoreTransaction) async throws -> ([ReleasedDelivery], [JobEvent]) {
        let released = try await tx.releaseLeases(ofPool: id, reason: "\(Self.diedPrefix) (pool \(id))")
        try await tx.deletePool(id)
        let jobIDs = released.compactMap(\.jobID)
        guard !jobIDs.isEmpty else { return (released, []) }
        try await tx.unstartJobs(jobIDs)
        var events: [JobEvent] = []
        let now = clock.nowMillis()
        for delivery in released {
            guard let jobID = delivery.jobID, let job = try await tx.job(jobID) else { continue }
            let max = maxReceive(of: job.type)
            let verdict = delivery.counted
                ? "it ran alone, so this counts toward max_receive (\(delivery.received) of \(max) deliveries used)"
                : "it ran beside other jobs, so this does not count toward max_receive (\(delivery.received) of \(max) used)"
            events.append(JobEvent(kind: .workerLost, jobID: job.id, type: job.type, parentID: job.parentID, status: job.status,
                                   attempt: job.attempts, message: "its worker pool \(id) died; \(verdict)", at: now))
        }
        // Written in this transaction, not through a log service: the next attempt may well kill its process
        // again before a buffered line would be flushed, and this line says which deaths counted.
        _ = try await tx.appendLogs(events.map { event in
            NewJobLogEntry(jobID: event.jobID, timestamp: now, level: LogLevel(event.logLine.level), message: event.logLine.message)
        })
        return (released, events)
    }

    /// Releases the leases of every pool that missed three heartbeats.
    func reapDeadPools(except asking: Int64, in tx: any StoreTransaction) async throws -> ([ReleasedDelivery], [JobEvent]) {
        var released: [ReleasedDelivery] = []
        var events: [JobEvent] = []
        for pool in try await tx.deadPools(except: asking) {
            let (some, more) = try await releaseLeases(ofPool: pool, in: tx)
            released += some
            events += more
        }
        return (released, events)
    }

    /// Brings records in line with the queue after a crash: running jobs whose message is back in the queue
    /// are pending again; unfinished jobs whose message is dead or gone are failed; parents whose children all
    /// ended are finished.
    func reconcile(in tx: any StoreTransaction) async throws -> [JobEvent] {
        _ = try await tx.requeueRunningJobs()
        var events: [JobEvent] = []
        for (id, reason) in try await tx.orphanedJobs() {
            events += try await fail(id, error: reason, deadLettered: false, in: tx)
        }
        for id in try await tx.stalledParents() {
            events += try await settle(id, in: tx)
        }
        return events
    }

    /// Puts dead letters back (those with `ids`, or all) and runs their failed jobs again.
    func requeueDeadLetters(_ ids: [MessageID]?, in tx: any StoreTransaction) async throws -> ([RequeuedMessage], [JobEvent]) {
        let requeued = try await tx.requeueDeadLetters(queue: queue.name, ids: ids)
        let revived = try await tx.reviveJobs(requeued.filter { $0.jobID != nil })
        return (requeued, revived.map { event(.requeued, $0) })
    }
}
