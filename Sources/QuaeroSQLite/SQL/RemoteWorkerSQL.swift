/// Every statement on the `remote_workers` table on SQLite (what HTTP workers announced).
enum RemoteWorkerSQL {
    /// ?1 name, ?2 type, ?3 now, ?4 expires at: an announcement, or its renewal (an expired one starts over).
    static let announce = SQLStatement("""
        INSERT INTO remote_workers (name, type, first_seen_at, last_seen_at, expires_at) VALUES (?1, ?2, ?3, ?3, ?4)
        ON CONFLICT (name, type) DO UPDATE SET
            first_seen_at = CASE WHEN expires_at <= ?3 THEN ?3 ELSE first_seen_at END, last_seen_at = ?3, expires_at = ?4
        """)
    /// ?1 name, ?2 now, ?3 expires at the earliest: a heartbeat renews the worker's live announcements.
    static let renew = SQLStatement("""
        UPDATE remote_workers SET last_seen_at = ?2, expires_at = max(expires_at, ?3) WHERE name = ?1 AND expires_at > ?2
        """)
    /// ?1 expired at or before.
    static let forget = SQLStatement("DELETE FROM remote_workers WHERE expires_at <= ?1")
    /// ?1 now: the types served now, once per live announcement (the caller keeps a set). Every claim of a
    /// worker pool runs it (through `remote_workers_expiry`); without DISTINCT, SQLite needs no temporary
    /// b-tree, which it would allocate and free on every run.
    static let liveTypes = SQLStatement("SELECT type, expires_at FROM remote_workers WHERE expires_at > ?1")
    /// Every announcement, by name and type.
    static let all = SQLStatement("""
        SELECT name, type, first_seen_at, last_seen_at, expires_at FROM remote_workers ORDER BY name, type
        """)
}
