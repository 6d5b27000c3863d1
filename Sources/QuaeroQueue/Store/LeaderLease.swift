/// A named lease that one process holds at a time, for work that must run once across every process
/// sharing the store (the leader's chores, DESIGN §13). The same type and store methods as the flow-control
/// branch's (`acquireLease`, `releaseLease`, `leaderLease`), so that the two merge into one.
public struct LeaderLease: Sendable, Hashable {
    /// What it is for (`cluster`).
    public let name: String
    /// Who holds it (host, process id and a random part).
    public let holder: String
    /// When this holder took it (store time, UTC milliseconds).
    public let acquiredAt: Int64
    /// When it lapses unless renewed (store time, UTC milliseconds).
    public let expiresAt: Int64

    /// Creates the record (as a store reads it).
    public init(name: String, holder: String, acquiredAt: Int64, expiresAt: Int64) {
        self.name = name
        self.holder = holder
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
    }
}
