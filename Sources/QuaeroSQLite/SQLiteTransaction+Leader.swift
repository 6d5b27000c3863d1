public import QuaeroQueue

/// Leadership: the lease rows of `leader_leases`.
extension SQLiteTransaction {
    public func claimLeadership(_ name: String, holder: String, ttl: Duration) async throws -> Leadership {
        let now = clock.nowMillis()
        try connection.execute(LeaderSQL.claim, [name, holder, now, now + ttl.milliseconds])
        guard let lead = try await leadership(name) else {
            throw QuaeroError(.storage, "the leadership \(name) was claimed but cannot be read back")
        }
        return lead
    }

    public func resignLeadership(_ name: String, holder: String) async throws {
        try connection.execute(LeaderSQL.resign, [name, holder])
    }

    public func leadership(_ name: String) async throws -> Leadership? {
        try connection.queryFirst(LeaderSQL.get, [name]) { row in
            Leadership(name: row.text(0), holder: row.text(1), acquiredAt: row.int64(2), expiresAt: row.int64(3))
        }
    }
}
