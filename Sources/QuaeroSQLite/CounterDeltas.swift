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
        /// A job ended in `minute` (UTC minutes since the epoch).
        case ended(minute: Int64, failed: Bool)
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
                changes.append(.ended(minute: finished / 60_000, failed: new == .failed))
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
    }

    /// Writes the gathered changes, one upsert per counter row, and forgets them.
    mutating func write(on connection: Connection) throws {
        guard !changes.isEmpty else { return }
        var jobs: [String: JobCounts] = [:]
        var minutes: [Int64: MinuteCounts] = [:]
        var dead: [DeadKey: Int] = [:]
        for change in changes {
            switch change {
            case .job(let type, let status, let by, let runMs):
                jobs[type, default: JobCounts()].add(by, to: status)
                if let runMs {
                    jobs[type]!.runs += by
                    jobs[type]!.runMs += Int64(by) * runMs
                }
            case .ended(let minute, let failed):
                if failed { minutes[minute, default: MinuteCounts()].failed += 1 } else { minutes[minute, default: MinuteCounts()].completed += 1 }
            case .dead(let queue, let type, let by):
                dead[DeadKey(queue: queue, type: type), default: 0] += by
            }
        }
        changes.removeAll(keepingCapacity: true)
        if !jobs.isEmpty {
            let stmt = try connection.prepare(CounterSQL.addJobCounts)
            for (type, counts) in jobs where !counts.isZero {
                stmt.bind([type, counts.pending, counts.running, counts.completed, counts.failed, counts.cancelled, counts.runs,
                           counts.runMs])
                try stmt.run()
            }
        }
        if !minutes.isEmpty {
            let stmt = try connection.prepare(CounterSQL.addJobMinute)
            for (minute, counts) in minutes {
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

    private struct DeadKey: Hashable {
        let queue: String
        let type: String
    }
}
