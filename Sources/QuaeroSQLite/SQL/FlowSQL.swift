/// Every statement of flow control on SQLite (DESIGN §8): pauses, limit keys, ready counts, unique jobs,
/// leader leases and schedules.
enum FlowSQL {
    // MARK: Pauses

    /// ?1 queue: its paused types ('' for the whole queue).
    static let pauses = SQLStatement("SELECT type FROM queue_pauses WHERE queue = ?1")
    /// ?1 queue, ?2 type ('' for the whole queue), ?3 now.
    static let pause = SQLStatement("""
        INSERT INTO queue_pauses (queue, type, paused_at) VALUES (?1, ?2, ?3) ON CONFLICT (queue, type) DO NOTHING
        """)
    /// ?1 queue, ?2 type ('' for the whole queue).
    static let resume = SQLStatement("DELETE FROM queue_pauses WHERE queue = ?1 AND type = ?2")

    // MARK: Limits

    /// ?1 now: the messages with limits held by a current lease, through `messages_limited` (m0016): at most as many
    /// as the pools that claim have slots. A claim that meets a candidate with limits reads them once and counts
    /// them by key (across queues) and by type of its queue (those of a type with a max_in_flight).
    static let limitedInFlight = SQLStatement("""
        SELECT queue, type, limit_key, type_max IS NOT NULL FROM messages WHERE limit_until > ?1
        """)
    /// ?1 key: when its next message may start.
    static let nextStart = SQLStatement("SELECT next_start FROM limit_keys WHERE key = ?1")
    /// ?1 key, ?2 its next start.
    static let setNextStart = SQLStatement("""
        INSERT INTO limit_keys (key, next_start) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET next_start = ?2
        """)
    /// ?1 cutoff.
    static let pruneKeys = SQLStatement("DELETE FROM limit_keys WHERE next_start < ?1")

    // MARK: Bounded queues

    /// ?1 queue, ?2 now, ?3 the most to count: ready messages (through the receive index).
    static let readyCount = SQLStatement("""
        SELECT count(*) FROM (SELECT 1 FROM messages
            WHERE queue = ?1 AND dead_at IS NULL AND visible_at <= ?2 AND (leased_until IS NULL OR leased_until <= ?2)
            LIMIT ?3)
        """)

    // MARK: Unique jobs

    /// ?1 key, ?2 created at or after, ?3 statuses (JSON array): the newest such job.
    static let uniqueJob = SQLStatement("""
        SELECT \(JobSQL.columns) FROM jobs
        WHERE unique_key = ?1 AND created_at >= ?2 AND status IN (SELECT value FROM json_each(?3))
        ORDER BY created_at DESC LIMIT 1
        """)

    // MARK: Leader leases

    /// ?1 name, ?2 holder, ?3 now, ?4 expires at: taken when free or lapsed, renewed by its holder.
    static let acquireLease = SQLStatement("""
        INSERT INTO leader_leases (name, holder, acquired_at, expires_at) VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT (name) DO UPDATE SET
            acquired_at = CASE WHEN holder = ?2 THEN acquired_at ELSE ?3 END, holder = ?2, expires_at = ?4
        WHERE holder = ?2 OR expires_at <= ?3
        """)
    /// ?1 name, ?2 holder.
    static let releaseLease = SQLStatement("DELETE FROM leader_leases WHERE name = ?1 AND holder = ?2")
    /// ?1 name.
    static let lease = SQLStatement("SELECT name, holder, acquired_at, expires_at FROM leader_leases WHERE name = ?1")

    // MARK: Schedules

    /// The columns `SQLiteTransaction.schedule` reads, in order.
    static let scheduleColumns = "name, paused, watermark, last_fire_at, last_job_id"
    /// ?1 name, ?2 now.
    static let ensureSchedule = SQLStatement("""
        INSERT INTO schedules (name, watermark, created_at, updated_at) VALUES (?1, ?2, ?2, ?2) ON CONFLICT (name) DO NOTHING
        """)
    /// ?1 name.
    static let schedule = SQLStatement("SELECT \(scheduleColumns) FROM schedules WHERE name = ?1")
    /// Every schedule, by name.
    static let schedules = SQLStatement("SELECT \(scheduleColumns) FROM schedules ORDER BY name")
    /// ?1 name, ?2 expected watermark, ?3 new watermark, ?4 now.
    static let advanceSchedule = SQLStatement("""
        UPDATE schedules SET watermark = ?3, updated_at = ?4 WHERE name = ?1 AND watermark = ?2
        """)
    /// ?1 name, ?2 now, ?3 job.
    static let recordFire = SQLStatement("""
        UPDATE schedules SET last_fire_at = ?2, last_job_id = ?3, updated_at = ?2 WHERE name = ?1
        """)
    /// ?1 name, ?2 paused (0 or 1), ?3 now.
    static let setSchedulePaused = SQLStatement("""
        UPDATE schedules SET paused = ?2, updated_at = ?3 WHERE name = ?1 AND paused != ?2
        """)
}
