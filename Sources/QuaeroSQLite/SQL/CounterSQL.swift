/// The counter tables' statements, run once per row at commit by `CounterDeltas` (engine chain m0010, m0013 and m0015).
enum CounterSQL {
    /// ?1 type, ?2 pending, ?3 running, ?4 completed, ?5 failed, ?6 cancelled, ?7 runs, ?8 run ms: added to the type's counts.
    static let addJobCounts = SQLStatement("""
        INSERT INTO job_counts (type, pending, running, completed, failed, cancelled, runs, run_ms)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
        ON CONFLICT (type) DO UPDATE SET
            pending = pending + excluded.pending, running = running + excluded.running,
            completed = completed + excluded.completed, failed = failed + excluded.failed,
            cancelled = cancelled + excluded.cancelled, runs = runs + excluded.runs, run_ms = run_ms + excluded.run_ms
        """)
    /// As `addJobCounts`, with ?9 minute, ?10 completed, ?11 failed: the type's jobs ended in that minute, added to
    /// its row's (m0015) when the row holds that minute (or any, for a NULL minute and no ends). No change when the
    /// row holds another minute or is not there: the caller then reads it with `latestMinute`, or inserts it. An
    /// UPDATE rather than an upsert, since the row is there but for a type's first commit: 68 VM steps a commit
    /// that ends jobs, against 69 + 44 for the two upserts before m0015 (`scripts/sqlite-steps`).
    static let addJobCountsAndMinute = SQLStatement("""
        UPDATE job_counts SET
            pending = pending + ?2, running = running + ?3, completed = completed + ?4, failed = failed + ?5,
            cancelled = cancelled + ?6, runs = runs + ?7, run_ms = run_ms + ?8,
            minute_completed = minute_completed + ?10, minute_failed = minute_failed + ?11
        WHERE type = ?1 AND (minute = ?9 OR ?9 IS NULL)
        """)
    /// ?1 type: the minute its row holds and the jobs ended in it (m0015).
    static let latestMinute = SQLStatement("SELECT minute, minute_completed, minute_failed FROM job_counts WHERE type = ?1")
    /// ?1 type, ?2 minute: the row starts counting a later minute (its ends moved to the ring first), or is
    /// created for it.
    static let startMinute = SQLStatement("""
        INSERT INTO job_counts (type, minute) VALUES (?1, ?2)
        ON CONFLICT (type) DO UPDATE SET minute = excluded.minute, minute_completed = 0, minute_failed = 0
        """)
    /// ?1 minute, ?2 completed, ?3 failed: jobs ended in that minute, in its slot of m0010's ring (a slot holding
    /// an older minute starts over; a minute older than its slot holds is counted nowhere: its day has passed).
    static let addJobMinute = SQLStatement("""
        INSERT INTO job_minutes (slot, minute, completed, failed) VALUES (?1 % 1440, ?1, ?2, ?3)
        ON CONFLICT (slot) DO UPDATE SET
            completed = CASE WHEN excluded.minute = minute THEN completed + excluded.completed
                             WHEN excluded.minute > minute THEN excluded.completed ELSE completed END,
            failed = CASE WHEN excluded.minute = minute THEN failed + excluded.failed
                          WHEN excluded.minute > minute THEN excluded.failed ELSE failed END,
            minute = max(minute, excluded.minute)
        """)
    /// ?1 queue, ?2 type ('' for none), ?3 change: dead letters of a queue and type (m0013).
    static let addDead = SQLStatement("""
        INSERT INTO dead_counts (queue, type, dead) VALUES (?1, ?2, ?3)
        ON CONFLICT (queue, type) DO UPDATE SET dead = dead + excluded.dead
        """)
}
