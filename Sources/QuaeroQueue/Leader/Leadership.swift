/// Who leads one kind of cluster-wide work (a row of the store's leader leases), as `claimLeadership` leaves it.
public struct Leadership: Sendable, Equatable {
    /// What is led (for example `cluster`).
    public let name: String
    /// The leading process.
    public let holder: String
    /// When this holder took it (store time, UTC milliseconds).
    public let acquiredAt: Int64
    /// When another process may take it over unless the holder renews it first (store time, UTC milliseconds).
    public let expiresAt: Int64

    /// Creates the record.
    public init(name: String, holder: String, acquiredAt: Int64, expiresAt: Int64) {
        self.name = name
        self.holder = holder
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
    }
}
