public import QuaeroQueue

/// Leader leases: the rows of `leader_leases`.
extension SQLiteTransaction {
    public func acquireLease(_ name: String, holder: String, ttl: Duration) async throws -> Bool {
        let now = clock.nowMillis()
        try connection.execute(LeaderSQL.acquireLease, [name, holder, now, now + ttl.milliseconds])
        return connection.changes > 0
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        try connection.execute(LeaderSQL.releaseLease, [name, holder])
    }

    public func leaderLease(_ name: String) async throws -> LeaderLease? {
        try connection.queryFirst(LeaderSQL.lease, [name]) { row in
            LeaderLease(name: row.text(0), holder: row.text(1), acquiredAt: row.int64(2), expiresAt: row.int64(3))
        }
    }
}
