/// How the PostgreSQL store connects and works: quaero's `[postgres]` settings.
public struct PostgresStoreOptions: Sendable, Equatable {
    /// Whether connections are encrypted.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Never (plain TCP).
        case off
        /// When the server offers TLS, without checking its certificate (libpq's `sslmode=prefer`).
        case prefer
        /// Always, checking the server's certificate and host name against the system's trusted roots; a server
        /// without TLS is refused.
        case require
    }

    /// How a claim takes its rows: `skipLocked` always; `unlocked` only for the negative control of the
    /// multi-node tests (goqite's PostgreSQL flavour, which delivers a message to several workers at once).
    public enum ClaimLocking: Sendable, Equatable {
        /// `FOR UPDATE SKIP LOCKED`: concurrent claims take different rows and never wait for each other.
        case skipLocked
        /// No row locks: for tests that show what SKIP LOCKED prevents. Never for real work.
        case unlocked
    }

    /// Connections in the pool (`[postgres] pool_size`).
    public var poolSize: Int
    /// TLS (`[postgres] tls`); a URL's `sslmode` wins over it.
    public var tls: TLSMode
    /// How long connecting (and waiting for a pooled connection) may take before an operation fails
    /// (`[postgres] connect_timeout`), enforced by the store itself to the millisecond.
    public var connectTimeout: Duration
    /// Outside the wake-ups (`[postgres] poll_only`): no LISTEN connection, and no NOTIFY after sends. For
    /// connection poolers such as PgBouncer in transaction mode, which cannot hold a LISTEN: such a process finds
    /// other processes' messages at its next poll, and they find its messages at theirs.
    public var pollOnly: Bool
    /// How often the leader vacuums the hot tables (`VACUUM (SKIP_LOCKED)`).
    public var vacuumInterval: Duration
    /// `application_name`, shown in `pg_stat_activity`.
    public var applicationName: String
    /// How claims lock their rows.
    public var claimLocking: ClaimLocking

    /// Creates options; the defaults suit a few processes on one database server.
    public init(poolSize: Int = 8, tls: TLSMode = .prefer, connectTimeout: Duration = .seconds(5), pollOnly: Bool = false,
                vacuumInterval: Duration = .seconds(5), applicationName: String = "quaero",
                claimLocking: ClaimLocking = .skipLocked) {
        self.poolSize = poolSize
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.pollOnly = pollOnly
        self.vacuumInterval = vacuumInterval
        self.applicationName = applicationName
        self.claimLocking = claimLocking
    }

    /// The settings, for reports (`quaero bench`).
    public var summary: String {
        "pool_size=\(poolSize) tls=\(tls.rawValue) connect_timeout=\(connectTimeout) poll_only=\(pollOnly)"
    }
}
