public import QuaeroQueue

/// Flow control and schedules (DESIGN §8) on PostgreSQL: pauses, limit keys, ready counts, unique jobs
/// (`PostgresTransaction+Jobs`), schedules. What holds across processes is held by the database: pauses are
/// read inside each claim statement, a key's rate by its `limit_keys` row, a schedule's fire times by a
/// compare-and-set on its watermark.
extension PostgresTransaction {
    // MARK: Pauses

    public func pauses(queue: String) async throws -> QueuePause {
        var pause = QueuePause()
        for row in try await rows(FlowSQL.Pauses.self, queue) {
            let type = try row.text(0)
            if type.isEmpty { pause.queue = true } else { pause.types.insert(type) }
        }
        return pause
    }

    public func setPaused(_ paused: Bool, queue: String, type: String?) async throws -> Bool {
        let changed = paused
            ? try await command(FlowSQL.Pause.self, now, queue, type ?? "") > 0
            : try await command(FlowSQL.Resume.self, queue, type ?? "") > 0
        // Resumed: this process's consumers look at once (others at their next poll, or by the notification).
        if !paused { sent(to: queue) }
        return changed
    }

    // MARK: Limits and bounds

    public func pruneLimitKeys(before cutoff: Int64) async throws -> Int {
        try await command(FlowSQL.PruneKeys.self, cutoff)
    }

    public func readyCount(queue: String, limit: Int) async throws -> Int {
        try await first(FlowSQL.ReadyCount.self, now, queue, Int64(limit))?.int(0) ?? 0
    }

    // MARK: Schedules

    private static func schedule(_ row: PostgresColumns) throws -> ScheduleState {
        ScheduleState(name: try row.text(0), paused: try row.bool(1), watermark: try row.int64(2),
                      lastFireAt: try row.optionalInt64(3), lastJobID: try row.optionalText(4))
    }

    public func schedules() async throws -> [ScheduleState] {
        try await rows(FlowSQL.Schedules.self).map(Self.schedule)
    }

    public func ensureSchedule(_ name: String) async throws -> ScheduleState {
        // Two statements: the SELECT takes a snapshot after the INSERT waited for (and saw) a concurrent
        // creation, so that it finds the row whichever process made it (READ COMMITTED).
        try await command(FlowSQL.EnsureSchedule.self, now, name)
        guard let row = try await first(FlowSQL.Schedule.self, name) else {
            throw QuaeroError(.storage, "schedule \(name) was neither created nor found")
        }
        return try Self.schedule(row)
    }

    public func advanceSchedule(_ name: String, from watermark: Int64, to newWatermark: Int64) async throws -> Bool {
        try await command(FlowSQL.AdvanceSchedule.self, now, name, watermark, newWatermark) > 0
    }

    public func recordScheduleFire(_ name: String, jobID: String) async throws {
        try await command(FlowSQL.RecordFire.self, now, name, jobID)
    }

    public func setSchedulePaused(_ name: String, paused: Bool) async throws -> Bool {
        _ = try await ensureSchedule(name)
        return try await command(FlowSQL.SetSchedulePaused.self, now, name, paused) > 0
    }
}
