/// The settings of a worker pool (the queue's visibility timeout and max_receive live in `QueueOptions`).
public struct WorkerPoolOptions: Sendable, Equatable {
    /// How many handlers run at once.
    public var concurrency: Int
    /// How often the pool looks for work it was not woken for (delayed messages, other processes' sends).
    public var pollInterval: Duration
    /// The first retry delay; each further failure doubles it.
    public var backoffBase: Duration
    /// The longest retry delay.
    public var backoffMax: Duration
    /// How much of each retry delay is random (0 = none, 1 = anywhere from zero to the full delay).
    public var backoffJitter: Double
    /// How often the pool records that it is alive; a pool silent for three intervals loses its leases.
    public var heartbeatInterval: Duration
    /// How long `stop()` lets running handlers finish before it cancels and releases them.
    public var shutdownTimeout: Duration
    /// The longest a handler of a type may run; a handler still running then is cancelled and the attempt fails.
    public var runTimeouts: [JobType: Duration]
    /// The run timeout of types not in `runTimeouts` (none by default).
    public var defaultRunTimeout: Duration?
    /// The pool's name in `worker_pools`, in logs, and on the jobs it starts (`Job.worker`).
    public var name: String
    /// Types the pool leaves to remote (HTTP) workers even while none of them is live, unless it has a handler
    /// for them: their jobs wait instead of being dead-lettered for want of a handler. (Types that a live remote
    /// worker serves are left alone anyway.)
    public var remoteTypes: Set<JobType>

    /// Creates pool settings; the defaults are the seed configuration of DESIGN §8.
    public init(concurrency: Int = 5, pollInterval: Duration = .seconds(1), backoffBase: Duration = .seconds(1),
                backoffMax: Duration = .seconds(300), backoffJitter: Double = 0.5, heartbeatInterval: Duration = .seconds(5),
                shutdownTimeout: Duration = .seconds(30), runTimeouts: [JobType: Duration] = [:],
                defaultRunTimeout: Duration? = nil, name: String = "workers", remoteTypes: Set<JobType> = []) {
        self.concurrency = concurrency
        self.pollInterval = pollInterval
        self.backoffBase = backoffBase
        self.backoffMax = backoffMax
        self.backoffJitter = backoffJitter
        self.heartbeatInterval = heartbeatInterval
        self.shutdownTimeout = shutdownTimeout
        self.runTimeouts = runTimeouts
        self.defaultRunTimeout = defaultRunTimeout
        self.name = name
        self.remoteTypes = remoteTypes
    }

    /// The run timeout of `type`, if any.
    public func runTimeout(for type: JobType) -> Duration? { runTimeouts[type] ?? defaultRunTimeout }

    /// Checks every value; throws `invalidArgument` naming the first bad one.
    public func validate() throws {
        guard concurrency >= 1 else { throw invalid("concurrency must be at least 1, got \(concurrency)") }
        let positive: [(String, Duration)] = [
            ("poll_interval", pollInterval), ("backoff_base", backoffBase), ("backoff_max", backoffMax),
            ("heartbeat_interval", heartbeatInterval),
        ] + runTimeouts.map { ("run timeout of \($0.key)", $0.value) } + (defaultRunTimeout.map { [("run timeout", $0)] } ?? [])
        for (name, value) in positive where value <= .zero {
            throw invalid("\(name) must be positive, got \(value)")
        }
        guard shutdownTimeout >= .zero else { throw invalid("shutdown_timeout must not be negative, got \(shutdownTimeout)") }
        guard backoffMax >= backoffBase else {
            throw invalid("backoff_max (\(backoffMax)) must be at least backoff_base (\(backoffBase))")
        }
        guard (0...1).contains(backoffJitter) else { throw invalid("backoff jitter must be within 0...1, got \(backoffJitter)") }
    }

    private func invalid(_ message: String) -> QuaeroError { QuaeroError(.invalidArgument, message) }
}
