public import Logging
public import QuaeroQueue
public import ServiceLifecycle
import UnixSignals

/// Everything a running Quaero process needs, wired from the configuration: the job manager over the
/// configured queue, the job log service, and a worker pool with the app's job types registered.
public struct QuaeroRuntime: Sendable {
    /// The configuration it was built from.
    public let config: QuaeroConfig
    /// The open database.
    public let database: Database
    /// The typed queue.
    public let queueManager: QueueManager
    /// Job records, parents and children.
    public let jobManager: JobManager
    /// Batched job logs.
    public let logService: LogService
    /// The workers, with every job type of the app registered.
    public let pool: WorkerPool
    /// The crawl, page and summarizer handlers (and the crawler's HTTP client).
    public let contentJobs: ContentJobs
    /// Creates a cleanup job every `[cleanup] interval`.
    public let cleanupScheduler: CleanupScheduler
    /// The clock every part was built with (the HTTP API's event streams poll on it).
    public let clock: any QuaeroClock

    /// Builds the runtime on `database` (already open); nothing runs until `run()` or the services start.
    public init(config: QuaeroConfig, database: Database, clock: any QuaeroClock = SystemClock(),
                logger: Logger = Logger(label: "quaero")) throws {
        self.config = config
        self.database = database
        self.clock = clock
        queueManager = try QuaeroApp.makeQueueManager(config, database: database, clock: clock)
        jobManager = JobManager(queueManager: queueManager, logger: logger)
        logService = try LogService(database: database, options: config.logs.options, clock: clock, logger: logger)
        jobManager.addSink(JobEventLogSink(service: logService))
        pool = try WorkerPool(manager: jobManager, options: config.queue.workerPoolOptions, clock: clock,
                              logger: logger, logService: logService)
        QuaeroJobs.register(on: pool)
        contentJobs = try ContentJobs(config: config, manager: jobManager, logs: logService, logger: logger, clock: clock)
        contentJobs.register(on: pool)
        cleanupScheduler = ContentJobs.cleanupScheduler(config: config, manager: jobManager, clock: clock, logger: logger)
    }

    /// The long-running services in start order. Shutdown runs in reverse: the pool stops taking work and
    /// finishes or releases what runs, then the log service flushes.
    public var services: [any Service] { [logService, pool, cleanupScheduler] }

    /// Starts the queue manager and job manager (reconciling what a crash left), then runs the services
    /// and then `front` (for `quaero serve`, the HTTP server) until SIGINT or SIGTERM, shutting down in
    /// reverse order: `front` first, then the pool, then the log service.
    public func run(logger: Logger, front: [any Service] = []) async throws {
        try await queueManager.start()
        try await jobManager.start()
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: (services + front).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        try? await contentJobs.shutdown()
        await queueManager.stop()
    }
}

extension QuaeroConfig.QueueSettings {
    /// The worker pool's settings from `[queue]`.
    public var workerPoolOptions: WorkerPoolOptions {
        WorkerPoolOptions(concurrency: concurrency, pollInterval: pollInterval, backoffBase: backoffBase,
                          backoffMax: backoffMax, heartbeatInterval: heartbeatInterval, shutdownTimeout: shutdownTimeout)
    }
}

extension QuaeroConfig.LogSettings {
    /// The log service's settings from `[logs]`.
    public var options: LogServiceOptions {
        LogServiceOptions(batchSize: batchSize, flushInterval: flushInterval, bufferLimit: bufferLimit)
    }
}
