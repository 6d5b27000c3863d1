import Foundation

/// One process's bid for a named `LeaderLease`: work that must run once across every process sharing the
/// store (the schedules; on PostgreSQL also the leader's chores) runs only while `acquire()` says so.
///
/// The holder renews the lease well before it lapses (every third of `ttl`); when its process dies, another
/// takes the lease once it has lapsed, so the work moves on within `ttl`.
public struct Leadership: Sendable {
    /// The store holding the lease.
    public let store: any QuaeroStore
    /// The lease's name.
    public let name: String
    /// This process's holder id.
    public let holder: String
    /// How long a take or renewal holds.
    public let ttl: Duration

    /// Creates the bid of this process (a new holder id: host, process id and a random part).
    public init(store: any QuaeroStore, name: String, ttl: Duration = .seconds(30)) {
        self.store = store
        self.name = name
        self.ttl = ttl
        self.holder = Self.newHolderID()
    }

    /// A holder id for this process: host name, process id and a random part.
    public static func newHolderID() -> String {
        "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Takes the lease, or renews it when this process holds it; true when this process holds it now.
    public func acquire() async throws -> Bool {
        try await store.write { [name, holder, ttl] tx in try await tx.acquireLease(name, holder: holder, ttl: ttl) }
    }

    /// Gives the lease up if this process holds it (at shutdown, so that another takes over at once).
    public func release() async throws {
        try await store.write { [name, holder] tx in try await tx.releaseLease(name, holder: holder) }
    }

    /// When a standby should try again, `now` being this process's clock: when the current holder's lease
    /// lapses (at least 5 ms from now), or nil when no lease is held. Waiting for exactly that, rather than a
    /// fixed interval, keeps a takeover within `ttl` of the holder's last renewal.
    public func retryTime(now: Int64) async throws -> Int64? {
        try await store.read { [name] reader in try await reader.leaderLease(name) }.map { max($0.expiresAt, now + 5) }
    }

    /// How often the holder renews: a third of `ttl`.
    public var renewInterval: Duration { ttl / 3 }
}
