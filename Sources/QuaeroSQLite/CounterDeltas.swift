import QuaeroQueue

/// The counter tables' changes of one write transaction (jobs by type and status with their run times, jobs
/// ended per minute, dead letters by queue and type), gathered as the statements run and written once per
/// row at commit, in the same transaction (`write(on:)`): the counts stay exact and commit or roll back with
/// the rows they count.
///
/// Per-row triggers (m0010) did the same with a counter update per status change: about 14 % of
/// `jobs_per_s` (measured by dropping them from a release build). Here a job's three status changes cost three
/// appends to an array, and a transaction of many jobs one upsert per type.
///
/// Changes are kept in order so that a body rolled back to its savepoint drops exactly its own
/// (`discard(from:)`, as `Connection.discardAfterCommit`).
struct CounterDeltas {
    /// One change to a counter.
    enum Change {
        /// `by` jobs of `type` entered (+1) or left (−1) `status`; a completed or failed job that ran counts
        /// its run time (`runMs`, nil for a job that never started or never finished).
        case job(type: String, status: JobStatus, by: Int, runMs: Int64?)
        /// A job of `type` ended in `minute` (UTC minutes since the epoch).
        case ended(type: String, minute: Int64, failed: Bool)
        /// `by` messages of `type` ('' for none) in `queue` were dead-lettered (+1) or left the dead letters (−1).
        case dead(queue: String, type: String, by: Int)
    }

    private(set) var changes: [Change] = []

    var count: Int { changes.count }
    var isEmpty: Bool { changes.isEmpty }

    mutating func append(_ change: Change) { changes.append(change) }

    mutating func discard(from index: Int) { changes.removeSubrange(index...) }

    mutating func removeAll() { changes.removeAll(keepingCapacity: true) }

    /// A job of `type` changed from `old` to `new` (nil: it did not exist, or no longer does). `startedAt` and
    /// `finishedAt` are its times before and after (as m0010's triggers counted: a run is a completed or failed
    /// job with a start; its time, end − start, when it has an end).
    mutating func job(_ type: String, from old: JobStatus?, _ oldTimes: (startedAt: Int64?, finishedAt: Int64?) = (nil, nil),
                      to new: JobStatus?, _ newTimes: (startedAt: Int64?, finishedAt: Int64?) = (nil, nil)) {
        guard old != new else { return }
        if let old { changes.append(.job(type: type, status: old, by: -1, runMs: Self.runMs(old, oldTimes))) }
        if let new {
            changes.append(.job(type: type, status: new, by: 1, runMs: Self.runMs(new, newTimes)))
            if new == .completed || new == .failed, let finished = newTimes.finishedAt {
                changes.append(.ended(type: type, minute: finished / 60_000, failed: new == .failed))
            }
        }
    }

    /// The run time a job in `status` with these times counts, or nil when it counts no run.
    private static func runMs(_ status: JobStatus, _ times: (startedAt: Int64?, finishedAt: Int64?)) -> Int64? {
        guard status == .completed || status == .failed, let started = times.startedAt, let finished = times.finishedAt else {
            return nil
        }
        return finished - started
    }
}

extension CounterDeltas {
    private struct JobCounts {
        var pending = 0, running = 0, completed = 0, failed = 0, cancelled = 0, runs = 0
        var runMs: Int64 = 0

        mutating func add(_ by: Int, to status: JobStatus) {
            switch status {
            case .pending: pending += by
            case .running: running += by
            case .completed: completed += by
            case .failed: failed += by
            case .cancelled: cancelled += by
            }
        }

        var isZero: Bool { pending == 0 && running == 0 && completed == 0 && failed == 0 && cancelled == 0 && runs == 0 && runMs == 0 }
    }

    private struct MinuteCounts {
        var completed = 0
        var failed = 0

        mutating func add(failed isFailed: Bool) { if isFailed { failed += 1 } else { completed += 1 } }

        mutating func add(_ other: MinuteCounts) {
            completed += other.completed
            failed += other.failed
        }
    }

    /// Writes the gathered changes, one statement per counter row, and forgets them.
    ///
    /// A type's counts and its ends of the commit's latest minute go to its `job_counts` row together (m0015), in
    /// one update when the row is there and holds that minute; its ends of earlier minutes go to the ring.
    mutating func write(on connection: Connection) throws {
        guard !changes.isEmpty else { return }
        var jobs: [String: JobCounts] = [:]
        var ends: [String: [Int64: MinuteCounts]] = [:]
        var dead: [DeadKey: Int] = [:]
        for change in changes {
            switch change {
            case .job(let type, let status, let by, let runMs):
                jobs[type, default: JobCounts()].add(by, to: status)
                if let runMs {
                    jobs[type]!.runs += by
                    jobs[type]!.runMs += Int64(by) * runMs
                }
            case .ended(let type, let minute, let failed):
                ends[type, default: [:]][minute, default: MinuteCounts()].add(failed: failed)
            case .dead(let queue, let type, let by):
                dead[DeadKey(queue: queue, type: type), default: 0] += by
            }
        }
        changes.removeAll(keepingCapacity: true)
        var ring: [Int64: MinuteCounts] = [:]
        for (type, counts) in jobs {
            guard let typeEnds = ends[type], let latest = typeEnds.keys.max() else {
                if !counts.isZero { try Self.add(counts, of: type, on: connection) }
                continue
            }
            for (minute, ended) in typeEnds where minute != latest { ring[minute, default: MinuteCounts()].add(ended) }
            if try !Self.add(counts, typeEnds[latest]!, in: latest, of: type, on: connection, moving: &ring) {
                try Self.add(counts, of: type, on: connection)
                ring[latest, default: MinuteCounts()].add(typeEnds[latest]!)
            }
        }
        if !ring.isEmpty {
            let stmt = try connection.prepare(CounterSQL.addJobMinute)
            for (minute, counts) in ring {
                stmt.bind([minute, counts.completed, counts.failed])
                try stmt.run()
            }
        }
        if !dead.isEmpty {
            let stmt = try connection.prepare(CounterSQL.addDead)
            for (key, by) in dead where by != 0 {
                stmt.bind([key.queue, key.type, by])
                try stmt.run()
            }
        }
    }

    /// Adds a type's counts to its row: an update when the row is there, holding any minute (cheaper than the
    /// upsert: 54 VM steps a run against 69, `scripts/sqlite-steps`), else the upsert.
    private static func add(_ counts: JobCounts, of type: String, on connection: Connection) throws {
        if try update(counts, .init(), in: nil, of: type, on: connection) { return }
        try connection.execute(CounterSQL.addJobCounts, [type, counts.pending, counts.running, counts.completed, counts.failed,
                                                         counts.cancelled, counts.runs, counts.runMs])
    }

    /// Adds a type's counts and its ends of `minute` to its row, in one update when the row holds that minute
    /// (the common case). A row holding an earlier minute has those ends added to `ring` and starts `minute`, as
    /// does a type's first row. Returns false, having written nothing, when the row holds a later minute (another
    /// process's commit, or ends that straddle a minute): the caller counts the two without it.
    private static func add(_ counts: JobCounts, _ ended: MinuteCounts, in minute: Int64, of type: String, on connection: Connection,
                            moving ring: inout [Int64: MinuteCounts]) throws -> Bool {
        if try update(counts, ended, in: minute, of: type, on: connection) { return true }
        let held = try connection.query(CounterSQL.latestMinute, [type]) { row in
            (minute: row.int64(0), counts: MinuteCounts(completed: row.int(1), failed: row.int(2)))
        }.first
        if let held {
            guard held.minute < minute else { return false }
            if held.counts.completed + held.counts.failed > 0 { ring[held.minute, default: MinuteCounts()].add(held.counts) }
        }
        try connection.execute(CounterSQL.startMinute, [type, minute])
        return try update(counts, ended, in: minute, of: type, on: connection)
    }

    /// `CounterSQL.addJobCounts`' update of the row of `type` when it holds `minute` (any, for nil); false when it
    /// changed nothing.
    private static func update(_ counts: JobCounts, _ ended: MinuteCounts, in minute: Int64?, of type: String,
                               on connection: Connection) throws -> Bool {
        try connection.execute(CounterSQL.addJobCountsAndMinute, [type, counts.pending, counts.running, counts.completed, counts.failed,
                                                                  counts.cancelled, counts.runs, counts.runMs, minute, ended.completed,
                                                                  ended.failed])
        return connection.changes > 0
    }

    private struct DeadKey: Hashable {
        let queue: String
        let type: String
    }
}
