public import Logging
public import QuaeroQueue
public import ServiceLifecycle

/// Creates a `cleanup` job every `interval` while it runs (the `[cleanup] interval`), so old jobs and dead
/// letters go away without anyone asking.
///
/// The jobs share a dedup key: while one scheduled cleanup is still queued, the next tick adds no other.
/// Stops at graceful shutdown or cancellation; a tick never interrupts a cleanup already running.
public struct CleanupScheduler: Service {
    /// Where the jobs are created.
    public let manager: JobManager
    /// Time between cleanups.
    public let interval: Duration
    /// The config of each cleanup job (`age_threshold_days`, `status_filter`, `dead_letter_age_days`).
    public let config: [String: JSONValue]
    private let clock: any QuaeroClock
    private let logger: Logger

    /// The dedup key of scheduled cleanups.
    public static let key = "cleanup:scheduled"

    /// Creates a scheduler; the first cleanup comes one `interval` after `run()` starts.
    public init(manager: JobManager, interval: Duration, config: [String: JSONValue] = [:], clock: any QuaeroClock = SystemClock(),
                logger: Logger = Logger(label: "quaero.cleanup")) {
        self.manager = manager
        self.interval = interval
        self.config = config
        self.clock = clock
        self.logger = logger
    }

    /// Ticks until graceful shutdown or cancellation; a tick that fails is logged and the next one comes.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while true {
                do {
                    try await clock.sleep(for: interval)
                } catch {
                    return  // cancelled: the scheduler is done
                }
                do {
                    try await tick()
                } catch is CancellationError {
                    return
                } catch {
                    // A failed tick (a busy database, say) must not stop the workers: the next one tries again.
                    logger.warning("could not create the scheduled cleanup job: \(error)")
                }
            }
        }
    }

    /// Creates one scheduled cleanup job (or finds the one still queued).
    @discardableResult
    public func tick() async throws -> Job {
        try await manager.createJob(JobSpec(type: .cleanup, config: config, key: Self.key))
    }
}
