import Foundation
public import QuaeroQueue

/// Flow control and schedules (DESIGN §8): pauses, limit keys, ready counts, unique jobs, leader leases.
extension SQLiteTransaction {
    // MARK: Pauses

    /// The pauses of `queue` as stored.
    func readPauses(_ queue: String) throws -> QueuePause {
        var pause = QueuePause()
        try connection.query(FlowSQL.pauses, [queue]) { row in
            let type = row.text(0)
            if type.isEmpty { pause.queue = true } else { pause.types.insert(type) }
        }
        return pause
    }

    public func pauses(queue: String) async throws -> QueuePause {
        try readPauses(queue)
    }

    public func setPaused(_ paused: Bool, queue: String, type: String?) async throws -> Bool {
        if paused {
            try connection.execute(FlowSQL.pause, [queue, type ?? "", clock.nowMillis()])
        } else {
            try connection.execute(FlowSQL.resume, [queue, type ?? ""])
        }
        let changed = connection.changes > 0
        pauses.invalidate(through: connection)
        if !paused {
            let signals = signals
            connection.afterCommit { signals.post(queue: queue) }  // resumed: consumers look at once
        }
        return changed
    }

    // MARK: Limits and bounds

    public func pruneLimitKeys(before cutoff: Int64) async throws -> Int {
        try connection.execute(FlowSQL.pruneKeys, [cutoff])
        return connection.changes
    }

    public func readyCount(queue: String, limit: Int) async throws -> Int {
        try connection.queryFirst(FlowSQL.readyCount, [queue, clock.nowMillis(), limit]) { $0.int(0) } ?? 0
    }

    public func uniqueJob(key: String, since: Int64, statuses: [JobStatus]) async throws -> Job? {
        try connection.queryFirst(FlowSQL.uniqueJob, [key, since, try Self.jsonArray(statuses.map(\.rawValue))], SQLiteRows.job)
    }

    public func snoozeJob(_ id: String) async throws {
        try backToPending(JobSQL.snooze, [id, clock.nowMillis()])
    }

    // MARK: Leader leases

    public func acquireLease(_ name: String, holder: String, ttl: Duration) async throws -> Bool {
        let now = clock.nowMillis()
        try connection.execute(FlowSQL.acquireLease, [name, holder, now, now + ttl.milliseconds])
        return connection.changes > 0
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        try connection.execute(FlowSQL.releaseLease, [name, holder])
    }

    public func leaderLease(_ name: String) async throws -> LeaderLease? {
        try connection.queryFirst(FlowSQL.lease, [name]) { row in
            LeaderLease(name: row.text(0), holder: row.text(1), acquiredAt: row.int64(2), expiresAt: row.int64(3))
        }
    }

    // MARK: Schedules

    private static func schedule(_ row: Row) -> ScheduleState {
        ScheduleState(name: row.text(0), paused: row.int(1) != 0, watermark: row.int64(2), lastFireAt: row.optionalInt64(3),
                      lastJobID: row.optionalText(4))
    }

    public func schedules() async throws -> [ScheduleState] {
        try connection.query(FlowSQL.schedules, [], Self.schedule)
    }

    public func ensureSchedule(_ name: String) async throws -> ScheduleState {
        try connection.execute(FlowSQL.ensureSchedule, [name, clock.nowMillis()])
        return try connection.queryFirst(FlowSQL.schedule, [name], Self.schedule)!
    }

    public func advanceSchedule(_ name: String, from watermark: Int64, to newWatermark: Int64) async throws -> Bool {
        try connection.execute(FlowSQL.advanceSchedule, [name, watermark, newWatermark, clock.nowMillis()])
        return connection.changes > 0
    }

    public func recordScheduleFire(_ name: String, jobID: String) async throws {
        try connection.execute(FlowSQL.recordFire, [name, clock.nowMillis(), jobID])
    }

    public func setSchedulePaused(_ name: String, paused: Bool) async throws -> Bool {
        _ = try await ensureSchedule(name)
        try connection.execute(FlowSQL.setSchedulePaused, [name, paused, clock.nowMillis()])
        return connection.changes > 0
    }
}
