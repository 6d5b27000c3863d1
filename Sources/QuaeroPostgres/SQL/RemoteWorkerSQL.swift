/// Every statement on the `remote_workers` table on PostgreSQL (what HTTP workers announced; SQLite's
/// `RemoteWorkerSQL` in PostgreSQL's dialect). `$1` is the pinned time or NULL.
enum RemoteWorkerSQL {
    static let now = PostgresTime.now

    /// $2 name, $3 types, $4 live for (ms): an announcement per type, or its renewal (an expired one starts over).
    enum Announce: PostgresSQL {
        static let sql = """
            INSERT INTO remote_workers AS w (name, type, first_seen_at, last_seen_at, expires_at)
            SELECT $2::text, t, \(now), \(now), \(now) + $4::bigint FROM unnest($3::text[]) AS t
            ON CONFLICT (name, type) DO UPDATE SET
                first_seen_at = CASE WHEN w.expires_at <= excluded.last_seen_at THEN excluded.last_seen_at ELSE w.first_seen_at END,
                last_seen_at = excluded.last_seen_at, expires_at = excluded.expires_at
            RETURNING 1
            """
    }
    /// $2 name, $3 live for (ms): a heartbeat renews the worker's live announcements.
    enum Renew: PostgresSQL {
        static let sql = """
            UPDATE remote_workers SET last_seen_at = \(now), expires_at = greatest(expires_at, \(now) + $3::bigint)
            WHERE name = $2::text AND expires_at > \(now)
            RETURNING 1
            """
    }
    /// $2 age (ms): the announcements that expired at least that long ago.
    enum Forget: PostgresSQL {
        static let sql = "DELETE FROM remote_workers WHERE expires_at <= \(now) - $2::bigint RETURNING 1"
    }
    /// The types served now. Every claim of a worker pool runs it (through `remote_workers_expiry`).
    enum LiveTypes: PostgresSQL {
        static let sql = "SELECT DISTINCT type FROM remote_workers WHERE expires_at > \(now)"
    }
    /// Every announcement, by name and type.
    enum All: PostgresSQL {
        static let sql = "SELECT name, type, first_seen_at, last_seen_at, expires_at FROM remote_workers ORDER BY name, type"
    }
}
