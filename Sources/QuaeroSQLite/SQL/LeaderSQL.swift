/// Every statement on `leader_leases` on SQLite (engine chain m0008).
enum LeaderSQL {
    /// ?1 name, ?2 holder, ?3 now, ?4 expires at: taken when free or lapsed, renewed by its holder (keeping
    /// acquired_at); nothing changes while another holder's lease is current.
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
}
