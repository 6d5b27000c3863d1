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

/// Every statement on `leader_leases` on PostgreSQL (engine chain m0007).
enum LeaderSQL {
    static let now = PostgresTime.now

    /// $2 name, $3 holder, $4 time to live (ms): takes the lead when it is free, expired or already the
    /// holder's (a renewal keeps acquired_at); returns who leads after it.
    enum Claim: PostgresSQL {
        static let sql = """
            WITH claimed AS (
                INSERT INTO leader_leases AS l (name, holder, acquired_at, expires_at) VALUES ($2::text, $3::text, \(now), \(now) + $4::bigint)
                ON CONFLICT (name) DO UPDATE SET
                    acquired_at = CASE WHEN l.holder = excluded.holder THEN l.acquired_at ELSE excluded.acquired_at END,
                    holder = excluded.holder, expires_at = excluded.expires_at
                WHERE l.holder = excluded.holder OR l.expires_at <= excluded.acquired_at
                RETURNING name, holder, acquired_at, expires_at)
            SELECT name, holder, acquired_at, expires_at FROM claimed
            UNION ALL
            SELECT name, holder, acquired_at, expires_at FROM leader_leases WHERE name = $2::text AND NOT EXISTS (SELECT 1 FROM claimed)
            """
    }
    /// $1 name.
    enum Get: PostgresSQL {
        static let sql = "SELECT name, holder, acquired_at, expires_at FROM leader_leases WHERE name = $1::text"
    }
    /// $1 name, $2 holder.
    enum Resign: PostgresSQL {
        static let sql = "DELETE FROM leader_leases WHERE name = $1::text AND holder = $2::text"
    }
}
