/// One job type a worker outside the engine's processes (an HTTP worker) announced it serves, by claiming
/// jobs of that type: a row of the store's remote worker announcements.
///
/// An announcement is live until `expiresAt`; each claim of the worker renews it, and so does each heartbeat
/// of a job it holds. While a live worker serves a type, in-process pools without a handler for it leave its
/// messages alone, and `POST /api/jobs` accepts jobs of it.
public struct RemoteWorkerRecord: Sendable, Hashable {
    /// The worker's name, as it gives it in its claims.
    public let name: String
    /// The job type it serves.
    public let type: JobType
    /// When it first announced this type (UTC milliseconds).
    public let firstSeenAt: Int64
    /// Its last claim or heartbeat (UTC milliseconds).
    public let lastSeenAt: Int64
    /// When the announcement ends unless renewed (UTC milliseconds).
    public let expiresAt: Int64

    /// Creates the record (as a store reads it).
    public init(name: String, type: JobType, firstSeenAt: Int64, lastSeenAt: Int64, expiresAt: Int64) {
        self.name = name
        self.type = type
        self.firstSeenAt = firstSeenAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
    }
}
