import Foundation

/// Worker pool registration and heartbeats, release of dead pools' leases, and reconciliation of records
/// left behind by a crash.
extension JobStore {
    /// Registers a running pool; returns its id (never reused).
    func registerPool(name: String, heartbeat: Duration) async throws -> Int64 {
        let now = clock.nowMillis()
        return try await database.write { connection in
            try connection.queryFirst(JobSQL.registerPool, [name, Int64(getpid()), now, heartbeat.milliseconds]) { $0.int64(0) }!
        }
    }

    /// One beat of pool `id`, in one write: records that it is alive (registering it again if another pool
    /// reaped it meanwhile), extends the leases it holds (`receipts`) by the visibility timeout, and releases
    /// the leases of pools that missed three heartbeats. Returns which of `receipts` are still current and how
    /// many messages of dead pools went back to the queue.
    func beat(pool id: Int64, name: String, interval: Duration,
              holding receipts: [Receipt]) async throws -> (current: Set<Receipt>, released: Int) {
        let now = clock.nowMillis()
        let until = now + queue.options.visibilityTimeout.milliseconds
        return try await database.write { connection in
            try connection.execute(JobSQL.heartbeat, [id, name, Int64(getpid()), now, interval.milliseconds])
            var current = Set<Receipt>()
            for receipt in receipts where try self.queue.extendLease(receipt, until: until, in: connection) {
                current.insert(receipt)
            }
            return (current, try self.reapDeadPools(except: id, now: now, in: connection))
        }
    }

    /// Releases every lease of pools that missed three heartbeats and forgets those pools; returns how many
    /// messages went back to the queue.
    @discardableResult
    func reapDeadPools(except asking: Int64) async throws -> Int {
        let now = clock.nowMillis()
        return try await database.write { try self.reapDeadPools(except: asking, now: now, in: $0) }
    }

    private func reapDeadPools(except asking: Int64, now: Int64, in connection: Connection) throws -> Int {
        let dead = try connection.query(JobSQL.deadPools, [now, asking]) { $0.int64(0) }
        var released = 0
        for pool in dead {
            released += try releaseLeases(of: pool, now: now, in: connection)
            try connection.execute(JobSQL.deletePool, [pool])
        }
        return released
    }

    /// Unregisters pool `id`, giving back any lease it still holds.
    func unregisterPool(_ id: Int64) async throws {
        let now = clock.nowMillis()
        try await database.write { connection in
            _ = try self.releaseLeases(of: id, now: now, in: connection)
            try connection.execute(JobSQL.deletePool, [id])
        }
    }

    private func releaseLeases(of pool: Int64, now: Int64, in connection: Connection) throws -> Int {
        let released = try connection.query(JobSQL.releaseOwned, [pool, now]) { $0.int64(0) }
        let unstart = try connection.prepare(JobSQL.unstartByMessage)
        for messageID in released {
            unstart.bind([messageID, now])
            try unstart.run()
        }
        return released.count
    }

    /// Brings records in line with the queue after a crash: running jobs whose message is back in the queue
    /// are pending again; unfinished jobs whose message is dead or gone are failed; parents whose children all
    /// ended are finished.
    func reconcile() async throws -> [JobEvent] {
        let now = clock.nowMillis()
        return try await database.write { connection in
            try connection.execute(JobSQL.requeuedRunning, [now])
            var events: [JobEvent] = []
            let orphans = try connection.query(JobSQL.orphaned) { ($0.text(0), $0.text(1)) }
            for (id, reason) in orphans {
                let job = try self.get(id, in: connection)
                events += try self.failOrphan(job, reason: reason, now: now, in: connection)
            }
            let stalled = try connection.query(JobSQL.stalledParents, []) { $0.text(0) }
            for id in stalled {
                events += try self.settle(id, now: now, in: connection)
            }
            return events
        }
    }

    private func failOrphan(_ job: Job, reason: String, now: Int64, in connection: Connection) throws -> [JobEvent] {
        try connection.execute(JobSQL.fail, [job.id, now, reason])
        guard connection.changes > 0 else { return [] }
        let event = JobEvent(kind: .failed, jobID: job.id, type: job.type, parentID: job.parentID, status: .failed,
                             attempt: job.attempts, message: reason, at: now)
        return try [event] + endChild(of: job.parentID, failed: true, now: now, in: connection)
    }
}
