/// Every statement of the queue on SQLite (messages and worker pools).
///
/// Each hot statement is served by an index of the engine's chain; `EXPLAIN QUERY PLAN` of each is checked by
/// a test.
enum QueueSQL {
    /// ?1 queue, ?2 type, ?3 body, ?4 priority, ?5 visible_at, ?6 dedup key (NULL here), ?7 created_at, ?8 job.
    /// Without a key nothing can conflict: a plain INSERT needs no statement journal, unlike an upsert.
    /// No RETURNING either: SQLite builds an ephemeral table for it on every run; the id is the last rowid.
    static let send = SQLStatement("""
        INSERT INTO messages (queue, type, body, priority, visible_at, dedup_key, created_at, job_id)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
        """)
    /// Rows in one `sendMany`.
    static let sendRows = 32
    /// Parameters of each row of `sendMany`.
    static let sendManyColumns = 5
    /// `sendRows` messages without dedup key or limits: ?1 queue, ?2 now (created_at), then per row r (from 0)
    /// ?(3+5r) type, ?(4+5r) body, ?(5+5r) priority, ?(6+5r) visible_at, ?(7+5r) job. A plain INSERT, as `send`.
    static let sendMany = SQLStatement(
        "INSERT INTO messages (queue, type, body, priority, visible_at, created_at, job_id) VALUES "
            + (0..<sendRows).map { r in
                let p = 3 + r * sendManyColumns
                return "(?1, ?\(p), ?\(p + 1), ?\(p + 2), ?\(p + 3), ?2, ?\(p + 4))"
            }.joined(separator: ", "))
    /// As `send`, with a dedup key: a second live message with the same key is not stored (no change).
    static let sendWithKey = SQLStatement("""
        INSERT INTO messages (queue, type, body, priority, visible_at, dedup_key, created_at, job_id)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
        ON CONFLICT (queue, dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
        """)
    /// As `sendWithKey`, for a message with limits: ?9 limit key, ?10 its max in flight, ?11 its interval
    /// (ms), ?12 its type's max in flight.
    static let sendLimited = SQLStatement("""
        INSERT INTO messages (queue, type, body, priority, visible_at, dedup_key, created_at, job_id,
                              limit_key, limit_max, limit_interval, type_max)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
        ON CONFLICT (queue, dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
        """)
    /// ?1 queue, ?2 dedup key: the live message that holds it.
    static let findByKey = SQLStatement("SELECT id, job_id FROM messages WHERE queue = ?1 AND dedup_key = ?2")

    /// The columns `candidates` reads, in order: the delivery's, then the message's limits (NULL for a
    /// message without any, which the claim then leases as it is).
    private static let candidateColumns = """
        id, type, body, received, priority, created_at, last_error, job_id, limit_key, limit_max, limit_interval, type_max
        """
    /// Up to ?3 messages of queue ?1 visible at ?2 and not held by a current lease, best first.
    static let candidates = SQLStatement("""
        SELECT \(candidateColumns) FROM messages
        WHERE queue = ?1 AND dead_at IS NULL AND visible_at <= ?2 AND (leased_until IS NULL OR leased_until <= ?2)
        ORDER BY priority DESC, visible_at, id
        LIMIT ?3
        """)
    /// As `candidates`, only of the types in the JSON array ?4.
    static let candidatesOfTypes = SQLStatement("""
        SELECT \(candidateColumns) FROM messages
        WHERE queue = ?1 AND dead_at IS NULL AND visible_at <= ?2 AND (leased_until IS NULL OR leased_until <= ?2)
          AND type IN (SELECT value FROM json_each(?4))
        ORDER BY priority DESC, visible_at, id
        LIMIT ?3
        """)
    /// As `candidates`, only of the types in the JSON array ?4 (when not NULL), and none of the types in ?5
    /// (paused, left to remote workers, or at their
    /// max_in_flight) or the limit keys in ?6 (saturated): the claim once something is
    /// paused or a limit bites. Rows of excluded keys are still walked in the index, but not returned.
    static let candidatesExcluding = SQLStatement("""
        SELECT \(candidateColumns) FROM messages
        WHERE queue = ?1 AND dead_at IS NULL AND visible_at <= ?2 AND (leased_until IS NULL OR leased_until <= ?2)
          AND (?4 IS NULL OR type IN (SELECT value FROM json_each(?4)))
          AND (?5 IS NULL OR type IS NULL OR type NOT IN (SELECT value FROM json_each(?5)))
          AND (?6 IS NULL OR limit_key IS NULL OR limit_key NOT IN (SELECT value FROM json_each(?6)))
        ORDER BY priority DESC, visible_at, id
        LIMIT ?3
        """)
    /// ?1 id, ?2 lease, ?3 owner, ?4 leased until: one delivery of a candidate without limits. It assigns no
    /// indexed column, so SQLite touches no index (m0016).
    static let lease = SQLStatement("""
        UPDATE messages SET lease = ?2, owner = ?3, leased_until = ?4, received = received + 1, solo = 0 WHERE id = ?1
        """)
    /// As `lease`, for a candidate with limits: its lease's end goes to `limit_until` too, into `messages_limited`.
    static let leaseLimited = SQLStatement("""
        UPDATE messages SET lease = ?2, owner = ?3, leased_until = ?4, limit_until = ?4, received = received + 1, solo = 0
        WHERE id = ?1
        """)
    /// ?1 id, ?2 now, ?3 reason: a candidate that was already delivered max_receive times.
    static let deadLetterExhausted = SQLStatement("""
        UPDATE messages SET lease = NULL, owner = NULL, leased_until = NULL, limit_until = NULL, dead_at = ?2, last_error = ?3 WHERE id = ?1
        """)

    /// ?1 id, ?2 lease, ?3 new end of the lease (and of `limit_until`, for a message with limits).
    static let extend = SQLStatement("""
        UPDATE messages SET leased_until = ?3, limit_until = iif(limit_until IS NULL, NULL, ?3)
        WHERE id = ?1 AND lease = ?2 AND dead_at IS NULL
        """)
    /// ?1 id, ?2 lease.
    static let markSolo = SQLStatement("UPDATE messages SET solo = 1 WHERE id = ?1 AND lease = ?2 AND dead_at IS NULL")
    /// ?1 id, ?2 lease.
    static let delete = SQLStatement("DELETE FROM messages WHERE id = ?1 AND lease = ?2 AND dead_at IS NULL")
    /// ?1 id: a message, live or dead (its queue and type when it was a dead letter, which leaves the counts).
    static let deleteAny = SQLStatement("""
        DELETE FROM messages WHERE id = ?1 RETURNING queue, coalesce(type, ''), dead_at IS NOT NULL
        """)
    /// ?1 id, ?2 lease, ?3 now, ?4 visible again at, ?5 error, ?6 max_receive.
    static let release = SQLStatement("""
        UPDATE messages SET
            lease = NULL, owner = NULL, leased_until = NULL, limit_until = NULL,
            last_error = coalesce(?5, last_error),
            visible_at = CASE WHEN received < ?6 THEN ?4 ELSE visible_at END,
            dead_at = CASE WHEN received < ?6 THEN NULL ELSE ?3 END
        WHERE id = ?1 AND lease = ?2 AND dead_at IS NULL
        RETURNING dead_at IS NOT NULL, queue, coalesce(type, '')
        """)
    /// ?1 id, ?2 lease, ?3 now: a delivery cut short by shutdown goes back at once, the attempt refunded.
    static let giveBack = SQLStatement("""
        UPDATE messages SET lease = NULL, owner = NULL, leased_until = NULL, limit_until = NULL, visible_at = min(visible_at, ?3),
            received = max(received - 1, 0)
        WHERE id = ?1 AND lease = ?2 AND dead_at IS NULL
        """)
    /// ?1 id, ?2 lease, ?3 visible again at: a snooze, not counted as a delivery; the last error is kept.
    static let snooze = SQLStatement("""
        UPDATE messages SET lease = NULL, owner = NULL, leased_until = NULL, limit_until = NULL, visible_at = ?3, received = max(received - 1, 0)
        WHERE id = ?1 AND lease = ?2 AND dead_at IS NULL
        """)
    /// ?1 id, ?2 lease, ?3 now, ?4 reason.
    static let deadLetter = SQLStatement("""
        UPDATE messages SET lease = NULL, owner = NULL, leased_until = NULL, limit_until = NULL, dead_at = ?3, last_error = ?4
        WHERE id = ?1 AND lease = ?2 AND dead_at IS NULL
        RETURNING queue, coalesce(type, '')
        """)

    /// ?1 queue, ?2 limit, ?3 offset.
    static let listDead = SQLStatement("""
        SELECT \(deadColumns) FROM messages
        WHERE queue = ?1 AND dead_at IS NOT NULL ORDER BY dead_at, id LIMIT ?2 OFFSET ?3
        """)
    /// The columns `SQLiteTransaction.deadLetter` reads, in order.
    static let deadColumns = "id, type, body, received, last_error, dead_at, job_id"
    /// ?1 queue, ?2 dead at, ?3 id (the previous page's last), ?4 limit: newest first, through `messages_dead`
    /// (queue, dead_at, then the rowid: the order itself).
    static let deadPage = SQLStatement("""
        SELECT \(deadColumns) FROM messages
        WHERE queue = ?1 AND dead_at IS NOT NULL AND (dead_at, id) < (?2, ?3)
        ORDER BY dead_at DESC, id DESC LIMIT ?4
        """)
    /// As `deadPage`, of type ?5, through `messages_dead_type`.
    static let deadPageOfType = SQLStatement("""
        SELECT \(deadColumns) FROM messages
        WHERE queue = ?1 AND type = ?5 AND dead_at IS NOT NULL AND (dead_at, id) < (?2, ?3)
        ORDER BY dead_at DESC, id DESC LIMIT ?4
        """)
    /// ?1 queue, ?2 now: current leases per holding pool. Pools run jobs, so their leases are the messages of
    /// the running jobs (`jobs_status`): as many rows as jobs run, not a scan of the live messages (9 ms with
    /// 20,000 of them in `scripts/bench-ui`). CROSS JOIN keeps the jobs the outer loop.
    static let leaseCounts = SQLStatement("""
        SELECT m.owner, count(*) FROM jobs AS j CROSS JOIN messages AS m ON m.id = j.message_id
        WHERE j.status = 'running' AND m.queue = ?1 AND m.dead_at IS NULL AND m.leased_until > ?2 AND m.owner IS NOT NULL
        GROUP BY m.owner
        """)
    /// The database's size in bytes (the pages of this reader's snapshot).
    static let storageSize = SQLStatement("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")

    /// ?1 queue, ?2 id, ?3 now.
    static let requeueOne = SQLStatement("""
        UPDATE messages SET dead_at = NULL, received = 0, lease = NULL, owner = NULL, leased_until = NULL, last_error = NULL, visible_at = ?3
        WHERE queue = ?1 AND id = ?2 AND dead_at IS NOT NULL
        RETURNING id, job_id, coalesce(type, '')
        """)
    /// ?1 queue, ?2 now.
    static let requeueAll = SQLStatement("""
        UPDATE messages SET dead_at = NULL, received = 0, lease = NULL, owner = NULL, leased_until = NULL, last_error = NULL, visible_at = ?2
        WHERE queue = ?1 AND dead_at IS NOT NULL
        RETURNING id, job_id, coalesce(type, '')
        """)
    /// ?1 queue, ?2 dead at or before: the dead letters purged by type, counted before they go.
    static let purgeableDead = SQLStatement("""
        SELECT coalesce(type, ''), count(*) FROM messages WHERE queue = ?1 AND dead_at IS NOT NULL AND dead_at <= ?2 GROUP BY type
        """)
    /// ?1 queue, ?2 dead at or before.
    static let purgeDead = SQLStatement("DELETE FROM messages WHERE queue = ?1 AND dead_at IS NOT NULL AND dead_at <= ?2")
    /// ?1 queue.
    static let purgeLive = SQLStatement("DELETE FROM messages WHERE queue = ?1 AND dead_at IS NULL")

    /// ?1 queue, ?2 now: counts by type of the live messages (through the receive index).
    static let liveStats = SQLStatement("""
        SELECT coalesce(type, ''),
               count(*) FILTER (WHERE visible_at <= ?2 AND (leased_until IS NULL OR leased_until <= ?2)),
               count(*) FILTER (WHERE visible_at > ?2 AND (leased_until IS NULL OR leased_until <= ?2)),
               count(*) FILTER (WHERE leased_until > ?2),
               min(visible_at) FILTER (WHERE visible_at <= ?2 AND (leased_until IS NULL OR leased_until <= ?2))
        FROM messages WHERE queue = ?1 AND dead_at IS NULL GROUP BY type
        """)
    /// ?1 queue: dead letters by type ('' for none), from the counts the store keeps at commit (m0013), in time
    /// that does not grow with the dead letters.
    static let deadStats = SQLStatement("SELECT type, dead FROM dead_counts WHERE queue = ?1 AND dead > 0")

    /// The columns `SQLiteTransaction.queued` reads, in order; ?1 is now.
    static let queuedColumns = """
        id, queue, type, job_id, priority,
        CASE WHEN dead_at IS NOT NULL THEN 'dead' WHEN leased_until > ?1 THEN 'in_flight'
             WHEN visible_at > ?1 THEN 'delayed' ELSE 'ready' END AS state,
        visible_at, CASE WHEN leased_until > ?1 THEN leased_until END, received, owner, last_error, created_at
        """
    /// ?1 now, ?2 id.
    static let messageByID = SQLStatement("SELECT \(queuedColumns) FROM messages WHERE id = ?2")
    /// ?1 now, ?2 job: through the job's record, whose message_id names its live message.
    static let messageOfJob = SQLStatement("""
        SELECT \(queuedColumns) FROM messages WHERE id = (SELECT message_id FROM jobs WHERE id = ?2)
        """)

    // MARK: Worker pools

    /// ?1 name, ?2 pid, ?3 now, ?4 heartbeat interval (ms).
    static let registerPool = SQLStatement("""
        INSERT INTO worker_pools (name, pid, started_at, heartbeat_at, heartbeat_ms) VALUES (?1, ?2, ?3, ?3, ?4) RETURNING id
        """)
    /// ?1 id, ?2 name, ?3 pid, ?4 now, ?5 interval: also re-registers a pool that another pool reaped.
    static let heartbeat = SQLStatement("""
        INSERT INTO worker_pools (id, name, pid, started_at, heartbeat_at, heartbeat_ms) VALUES (?1, ?2, ?3, ?4, ?4, ?5)
        ON CONFLICT (id) DO UPDATE SET heartbeat_at = ?4
        """)
    /// ?1 now, ?2 the asking pool: pools that missed three heartbeats.
    static let deadPools = SQLStatement("SELECT id FROM worker_pools WHERE heartbeat_at + 3 * heartbeat_ms < ?1 AND id != ?2")
    /// ?1 pool, ?2 now, ?3 reason: its leases go back to the queue at once. A delivery that ran alone keeps its
    /// receive count (its crash may be its own doing); the others get theirs refunded. `solo` stays set until
    /// the next delivery, so that RETURNING reports it. `owner` has no index: this scan of the messages runs
    /// only for a pool that died or stops.
    static let releaseOwned = SQLStatement("""
        UPDATE messages SET lease = NULL, owner = NULL, leased_until = NULL, limit_until = NULL, visible_at = min(visible_at, ?2),
            last_error = ?3, received = CASE WHEN solo THEN received ELSE max(received - 1, 0) END
        WHERE owner = ?1 AND dead_at IS NULL RETURNING id, job_id, solo, received
        """)
    /// ?1 pool.
    static let deletePool = SQLStatement("DELETE FROM worker_pools WHERE id = ?1")
    /// Every pool, oldest first.
    static let pools = SQLStatement("SELECT id, name, pid, started_at, heartbeat_at, heartbeat_ms FROM worker_pools ORDER BY id")
}
