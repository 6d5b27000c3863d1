/// Every statement on `job_logs` on PostgreSQL. The level filters take the levels at or above the minimum as
/// an array, so that one prepared statement serves every filter.
enum JobLogSQL {
    /// $1 jobs, $2 timestamps, $3 levels, $4 messages: the lines in order, skipping (not failing on) those
    /// whose job does not exist, so that one missing job does not abort the transaction. KEY SHARE locks the
    /// jobs as the foreign key check would, so a job deleted meanwhile is skipped too.
    enum Append: PostgresSQL {
        static let sql = """
            INSERT INTO job_logs (job_id, timestamp, level, message)
            SELECT l.job_id, l.timestamp, l.level, l.message
            FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) WITH ORDINALITY AS l (job_id, timestamp, level, message, position)
            JOIN jobs j ON j.id = l.job_id
            ORDER BY l.position
            FOR KEY SHARE OF j
            RETURNING job_id
            """
    }
    /// A job's lines at or after $2 with a level in $3, newest first, at most $4.
    enum ByJob: PostgresSQL {
        static let sql = """
            SELECT id, job_id, timestamp, level, message FROM job_logs
            WHERE job_id = $1::text AND timestamp >= $2::bigint AND level = ANY($3::text[])
            ORDER BY timestamp DESC, id DESC LIMIT $4::bigint
            """
    }
    /// A job's lines after the line ($2 timestamp, $4 id) with a level in $3, oldest first, at most $5.
    enum ByJobAfter: PostgresSQL {
        static let sql = """
            SELECT id, job_id, timestamp, level, message FROM job_logs
            WHERE job_id = $1::text AND (timestamp, id) > ($2::bigint, $4::bigint) AND level = ANY($3::text[])
            ORDER BY timestamp, id LIMIT $5::bigint
            """
    }
    /// $1 id.
    enum ByID: PostgresSQL {
        static let sql = "SELECT id, job_id, timestamp, level, message FROM job_logs WHERE id = $1::bigint"
    }
    /// Lines of every job with level $1 at or after $2, newest first, at most $3.
    enum ByLevel: PostgresSQL {
        static let sql = """
            SELECT id, job_id, timestamp, level, message FROM job_logs
            WHERE level = $1::text AND timestamp >= $2::bigint
            ORDER BY timestamp DESC, id DESC LIMIT $3::bigint
            """
    }
    /// $1 job.
    enum CountByJob: PostgresSQL {
        static let sql = "SELECT count(*) FROM job_logs WHERE job_id = $1::text"
    }
    /// $1 job, or NULL for every job: lines per level.
    enum CountsByLevel: PostgresSQL {
        static let sql = "SELECT level, count(*) FROM job_logs WHERE $1::text IS NULL OR job_id = $1::text GROUP BY level"
    }
    /// $1 job.
    enum DeleteByJob: PostgresSQL {
        static let sql = "DELETE FROM job_logs WHERE job_id = $1::text RETURNING 1"
    }
    /// Up to $2 lines older than $1.
    enum DeleteOlder: PostgresSQL {
        static let sql = """
            DELETE FROM job_logs WHERE id IN (SELECT id FROM job_logs WHERE timestamp < $1::bigint LIMIT $2::bigint)
            RETURNING 1
            """
    }
}
