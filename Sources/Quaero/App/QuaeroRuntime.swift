public import Logging
public import QuaeroQueue
public import ServiceLifecycle
import UnixSignals

/// Everything a running Quaero process needs, built from the configuration by one composition function
/// (`init`): the job manager over the configured queue, the job log service, a worker pool with the app's
/// job types registered, and the scheduler of the cron schedules (the cleanup among them). `serve`, `worker`, `crawl --wait`, the one-shot commands
/// and the tests all build it here.
public struct QuaeroRuntime: Sendable {
    /// The configuration it was built from.
    public let config: QuaeroConfig
    /// The open store.
    public let store: any QuaeroStore
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
    /// Fires the cron schedules, the cleanup every `[cleanup] interval` and `[[schedule]]`, while `leader` leads.
    public let scheduler: Scheduler
    /// One leader among the processes sharing the store (its lease lives `[queue] leader_ttl`), for the work
    /// that must run once across them: the schedules, releasing dead pools' leases and the store's maintenance.
    public let leader: LeaderElection
    /// The crawled documents.
    public var documents: DocumentStore { contentJobs.crawler.store }
    /// The clock every part was built with (the HTTP API's event streams poll on it).
    public let clock: any QuaeroClock

    /// Builds the runtime on `store` (already open); nothing runs until `run()`.
    public init(config: QuaeroConfig, store: any QuaeroStore, clock: (any QuaeroClock)? = nil,
                logger: Logger = Logger(label: "quaero")) throws {
        self.config = config
        self.store = store
        let clock = clock ?? store.clock
        self.clock = clock
        queueManager = try QueueManager(store: store, queueName: config.queue.queueName, options: config.queue.options)
        jobManager = try JobManager(queue: queueManager.queue, policies: config.jobPolicies, logger: logger)
        logService = try LogService(store: store, options: config.logs.options, clock: clock, logger: logger)
        jobManager.addSink(JobEventLogSink(service: logService))
        pool = try WorkerPool(manager: jobManager, options: config.queue.workerPoolOptions, clock: clock,
                              logger: logger, logService: logService)
        QuaeroJobs.register(on: pool)
        contentJobs = try ContentJobs(config: config, manager: jobManager, logs: logService, logger: logger, clock: clock)
        contentJobs.register(on: pool)
        leader = try LeaderElection(store: store, ttl: config.queue.leaderTTL, logger: logger)
        // One lease for all the work done once across the processes: the leader also fires the schedules.
        scheduler = try Scheduler(manager: jobManager, schedules: config.allSchedules, leadership: leader.leadership, clock: clock,
                                  logger: logger)
        Self.addDuties(to: leader, store: store, jobManager: jobManager, pool: pool, logger: logger)
    }

    /// The leader's work: the leases of dead pools go back at each heartbeat interval (pools do it too, at
    /// their own beats), and the store's maintenance runs at its interval (PostgreSQL: VACUUM of the hot tables).
    private static func addDuties(to leader: LeaderElection, store: any QuaeroStore, jobManager: JobManager, pool: WorkerPool,
                                  logger: Logger) {
        leader.addDuty("release dead pools' leases", every: pool.options.heartbeatInterval) {
            let released = try await jobManager.releaseLeasesOfDeadPools()
            if released > 0 { logger.warning("released the leases of dead worker pools", metadata: ["messages": "\(released)"]) }
        }
        if let interval = store.maintenanceInterval {
            leader.addDuty("store maintenance", every: interval) { try await store.maintain() }
        }
    }

    /// Opens the configured store, builds the runtime, starts its managers (reconciling once what a crash
    /// left), runs `body`, then closes everything, also when `body` throws.
    ///
    /// - Parameter waitForDatabase: while the database server cannot be reached, keep trying (logging why)
    ///   instead of failing at once (`serve` and `worker`).
    public static func with<T: Sendable>(_ config: QuaeroConfig, logger: Logger = Logger(label: "quaero"), waitForDatabase: Bool = false,
                                         _ body: (QuaeroRuntime) async throws -> T) async throws -> T {
        try await QuaeroApp.withStore(config, logger: logger, waitForDatabase: waitForDatabase) { store in
            let runtime = try QuaeroRuntime(config: config, store: store, logger: logger)
            do {
                try await runtime.start()
                let result = try await body(runtime)
                await runtime.shutdown()
                return result
            } catch {
                await runtime.shutdown()
                throw error
            }
        }
    }

    /// Starts the queue manager and reconciles the job records with the queue (once per process).
    public func start() async throws {
        try await queueManager.start()
        try await jobManager.start()
    }

    /// Flushes the job log and closes the crawler's HTTP client (after the services stopped, or when none ran).
    public func shutdown() async {
        await logService.stop()
        try? await contentJobs.shutdown()
        await queueManager.stop()
    }

    /// The long-running services in start order. Shutdown runs in reverse: the leader and the scheduler give
    /// up their leases, the pool stops taking work and finishes or releases what runs, then the log service
    /// flushes.
    public var services: [any Service] { [logService, pool, scheduler, leader] }

    /// Runs the services and then `front` (for `quaero serve`, the HTTP server) until SIGINT or SIGTERM, or
    /// until `until` (when given) returns, shutting down in reverse order: `front` first, then the pool, then
    /// the log service. A second SIGINT or SIGTERM while the pool waits for its running jobs stops them now.
    public func run(logger: Logger, front: [any Service] = [], until: (@Sendable () async throws -> Void)? = nil) async throws {
        // The signal watch stops after the pool (it is started before it): the pool drains while it watches.
        let watch = SecondSignal(pool: pool, logger: logger)
        var configurations = ([logService, watch] + services.dropFirst() + front).map {
            ServiceGroupConfiguration.ServiceConfiguration(service: $0)
        }
        if let until {
            configurations.append(.init(service: Until(body: until), successTerminationBehavior: .gracefullyShutdownGroup,
                                        failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: configurations, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Watches SIGINT and SIGTERM beside the service group, which stops gracefully on the first: then it says what
/// the pool waits for, and on the second it has the pool give its running jobs back at once (they run again at
/// the next start), instead of waiting up to `shutdown_timeout` for them. The usual Ctrl-C twice.
private struct SecondSignal: Service {
    let pool: WorkerPool
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var seen = 0
            for await signal in await UnixSignalsSequence(trapping: .sigint, .sigterm) {
                seen += 1
                if seen > 1 {
                    pool.stopRunningJobsNow()
                } else if pool.busySlots > 0 {  // running a job, or claiming one
                    logger.warning("stopping: waiting up to \(DurationText.format(pool.options.shutdownTimeout)) (queue.shutdown_timeout) for the running jobs; \(signal) again gives them back to the queue now",
                                   metadata: ["jobs": "\(pool.busySlots)"])
                }
            }
        }
    }
}

/// A service that ends the group when its body returns (or throws): `crawl --wait` runs the workers until its
/// crawl ends. A graceful shutdown (Ctrl-C) cancels the body.
private struct Until: Service {
    let body: @Sendable () async throws -> Void

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await body() }
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
