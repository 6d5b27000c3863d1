/// The limits of the HTTP worker protocol (DESIGN §10), stated once: the HTTP API checks requests against
/// them and its OpenAPI document states them (a test ties both to these constants).
public enum WorkerProtocol {
    /// The most jobs one claim returns.
    public static let maxClaimLimit = 100
    /// The longest a claim waits for work (its `wait`): a minute, below the idle timeouts of common proxies
    /// and HTTP clients.
    public static let maxWait: Duration = .seconds(60)
    /// The shortest and longest lease a claim may ask for (its `lease`).
    public static let leaseRange: ClosedRange<Duration> = .seconds(1) ... .seconds(3600)
    /// The lease of a claim that names none.
    public static let defaultLease: Duration = .seconds(30)
    /// The most job types one claim names.
    public static let maxTypes = 100
    /// The longest worker name and job type name, in characters.
    public static let maxNameLength = 100
    /// The longest `retry_after` a failure may ask for.
    public static let maxRetryAfter: Duration = .seconds(86_400)
    /// How long expired announcements are kept (so that a dashboard can show workers that went away) before
    /// they are forgotten.
    public static let forgetAfter: Duration = .seconds(3600)

    /// How long a claim keeps its worker's announcement live: three rounds of waiting and holding a lease, as a
    /// worker pool is taken for dead after three missed heartbeats.
    public static func announcementLife(wait: Duration, lease: Duration) -> Duration { (wait + lease) * 3 }

    /// Checks a worker or job type name: 1 to `maxNameLength` characters, no control characters.
    /// - Throws: `invalidArgument` naming `what`.
    public static func validate(name: String, as what: String) throws {
        guard !name.isEmpty, name.count <= maxNameLength else {
            throw QuaeroError(.invalidArgument, "\(what) must be 1 to \(maxNameLength) characters long, not \(name.count)")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw QuaeroError(.invalidArgument, "\(what) contains a control character; use printable characters")
        }
    }
}
