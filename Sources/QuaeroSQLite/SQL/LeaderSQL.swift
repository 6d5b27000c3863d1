/// Every statement on `leader_leases` on SQLite (engine chain m0007).
enum LeaderSQL {
    /// ?1 name, ?2 holder, ?3 now, ?4 expires at: takes the lead when it is free, expired or already the
    /// holder's (a renewal keeps acquired_at); changes nothing while another holder's lead is current.
    static let claim = SQLStatement("""
        INSERT INTO leader_leases (name, holder, acquired_at, expires_at) VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT (name) DO UPDATE SET
            acquired_at = CASE WHEN leader_leases.holder = excluded.holder THEN leader_leases.acquired_at ELSE excluded.acquired_at END,
            holder = excluded.holder, expires_at = excluded.expires_at
        WHERE leader_leases.holder = excluded.holder OR leader_leases.expires_at <= excluded.acquired_at
        """)
    /// ?1 name.
    static let get = SQLStatement("SELECT name, holder, acquired_at, expires_at FROM leader_leases WHERE name = ?1")
    /// ?1 name, ?2 holder.
    static let resign = SQLStatement("DELETE FROM leader_leases WHERE name = ?1 AND holder = ?2")
}
