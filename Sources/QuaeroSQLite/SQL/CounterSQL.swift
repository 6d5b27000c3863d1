/// The counter tables' upserts, run once per row at commit by `CounterDeltas` (engine chain m0010 and m0013).
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
