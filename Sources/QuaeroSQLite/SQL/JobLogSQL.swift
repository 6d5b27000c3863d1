/// Every statement on `job_logs` on SQLite.
///
/// Each query is served by an index of the engine's migration m0003; `EXPLAIN QUERY PLAN` of each is checked by a test.
/// The level filters bind four slots `?3…?6`: each a level name, or NULL for a level left out (NULL
/// matches nothing), so one prepared statement serves every filter.
enum JobLogSQL {
    /// ?1 job, ?2 timestamp, ?3 level, ?4 message.
    static let insert = SQLStatement("INSERT INTO job_logs (job_id, timestamp, level, message) VALUES (?1, ?2, ?3, ?4)")

    /// How many lines `insertMany` stores in one statement.
    static let rowsPerInsert = 16
    /// `rowsPerInsert` lines at once, four parameters each in the order of `insert`. One statement per 16
    /// lines instead of per line cut SQLite's time per stored line by about a quarter when measured here.
    static let insertMany = SQLStatement("INSERT INTO job_logs (job_id, timestamp, level, message) VALUES "
        + Array(repeating: "(?, ?, ?, ?)", count: rowsPerInsert).joined(separator: ", "))

    /// A job's lines at or after ?2 with a level among ?3…?6, newest first, at most ?7.
    static let byJob = SQLStatement("""
        SELECT id, job_id, timestamp, level, message FROM job_logs
        WHERE job_id = ?1 AND timestamp >= ?2 AND level IN (?3, ?4, ?5, ?6)
        ORDER BY timestamp DESC, id DESC LIMIT ?7
        """)

    /// A job's lines after the line (?2 timestamp, ?7 id) with a level among ?3…?6, oldest first, at most
    /// ?8: what `--follow` polls for.
    static let byJobAfter = SQLStatement("""
        SELECT id, job_id, timestamp, level, message FROM job_logs
        WHERE job_id = ?1 AND timestamp >= ?2 AND (timestamp > ?2 OR id > ?7) AND level IN (?3, ?4, ?5, ?6)
        ORDER BY timestamp, id LIMIT ?8
        """)

    /// The line with id ?1 (the primary key): where a follower that names its last line resumes.
    static let byID = SQLStatement("SELECT id, job_id, timestamp, level, message FROM job_logs WHERE id = ?1")

    /// Lines of every job with level ?1 at or after ?2, newest first, at most ?3.
    static let byLevel = SQLStatement("""
        SELECT id, job_id, timestamp, level, message FROM job_logs
        WHERE level = ?1 AND timestamp >= ?2
        ORDER BY timestamp DESC, id DESC LIMIT ?3
        """)

    /// ?1 job (index-only).
    static let countByJob = SQLStatement("SELECT count(*) FROM job_logs WHERE job_id = ?1")
    /// ?1 job: its lines per level, one column per level in `LogLevel.allCases` order (one pass, no sort).
    static let countsByLevelOfJob = SQLStatement("""
        SELECT count(*) FILTER (WHERE level = 'debug'), count(*) FILTER (WHERE level = 'info'),
               count(*) FILTER (WHERE level = 'warning'), count(*) FILTER (WHERE level = 'error')
        FROM job_logs WHERE job_id = ?1
        """)
    /// Lines per level across every job (index-only).
    static let countsByLevel = SQLStatement("SELECT level, count(*) FROM job_logs GROUP BY level")

    /// ?1 job.
    static let deleteByJob = SQLStatement("DELETE FROM job_logs WHERE job_id = ?1")
    /// Up to ?2 lines older than ?1. Listing every level lets the (level, timestamp) index find them.
    static let deleteOlder = SQLStatement("""
        DELETE FROM job_logs WHERE id IN (
            SELECT id FROM job_logs
            WHERE level IN ('debug', 'info', 'warning', 'error') AND timestamp < ?1
            LIMIT ?2)
        """)
}
