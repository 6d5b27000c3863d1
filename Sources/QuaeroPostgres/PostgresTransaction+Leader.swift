public import QuaeroQueue

/// Leader leases: the rows of `leader_leases`, on the database's clock.
extension PostgresTransaction {
    public func acquireLease(_ name: String, holder: String, ttl: Duration) async throws -> Bool {
        // Two processes inserting the first row at once: one inserts, the other's ON CONFLICT sees the row
        // (READ COMMITTED re-checks the WHERE on the newest version) and takes it only if it lapsed.
        try await command(LeaderSQL.Acquire.self, now, name, holder, ttl.milliseconds) > 0
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        _ = try await command(LeaderSQL.Release.self, name, holder)
    }

    public func leaderLease(_ name: String) async throws -> LeaderLease? {
        try await first(LeaderSQL.Get.self, name).map { row in
            LeaderLease(name: try row.text(0), holder: try row.text(1), acquiredAt: try row.int64(2), expiresAt: try row.int64(3))
        }
    }
}
