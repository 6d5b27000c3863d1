/// Every statement on `leader_leases` on PostgreSQL (engine chain m0008).
enum LeaderSQL {
    static let now = PostgresTime.now

    /// $2 name, $3 holder, $4 time to live (ms): taken when free or lapsed, renewed by its holder (keeping
    /// acquired_at); returns a row when `$3` holds it afterwards, none while another holder's lease is current.
    enum Acquire: PostgresSQL {
        static let sql = """
            INSERT INTO leader_leases AS l (name, holder, acquired_at, expires_at) VALUES ($2::text, $3::text, \(now), \(now) + $4::bigint)
            ON CONFLICT (name) DO UPDATE SET
                acquired_at = CASE WHEN l.holder = excluded.holder THEN l.acquired_at ELSE excluded.acquired_at END,
                holder = excluded.holder, expires_at = excluded.expires_at
            WHERE l.holder = excluded.holder OR l.expires_at <= excluded.acquired_at
            RETURNING 1
            """
    }
    /// $1 name.
    enum Get: PostgresSQL {
        static let sql = "SELECT name, holder, acquired_at, expires_at FROM leader_leases WHERE name = $1::text"
    }
    /// $1 name, $2 holder.
    enum Release: PostgresSQL {
        static let sql = "DELETE FROM leader_leases WHERE name = $1::text AND holder = $2::text RETURNING 1"
    }
}
