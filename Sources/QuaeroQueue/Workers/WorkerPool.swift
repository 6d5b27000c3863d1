public import Logging
public import ServiceLifecycle
import Synchronization

/// Runs jobs: claims messages of the manager's queue, routes each by type to its handler, and keeps
/// `concurrency` handlers busy.
///
/// It wakes on the `pollInterval` ticker, at once when this process sends, and on the store's hints; it
/// claims as many messages as there are free slots, and a slot whose handler ends claims its next message in
/// the same write that records the end. At each heartbeat the pool extends all its leases in one write (at
/// least every third of the visibility timeout); a lost lease, a cancel of the job, or the run timeout cancels
/// the handler. Success deletes the message; failure releases it with exponential backoff and jitter; at
/// `maxReceive`, or for an unknown type, a bad body or an `UnrecoverableJobError`, the message is
/// dead-lettered and the job marked failed.
///
/// The pool registers itself and heartbeats; it releases at once the leases of pools that missed three
/// heartbeats (at its start and at each of its heartbeats), so that a killed process's work resumes within
/// about three heartbeat intervals. It uses only the job manager's API, never the store.
///
/// Run it as a ServiceLifecycle `Service` (`run()`, graceful shutdown on SIGTERM), or embed it with
/// `start()` and `stop()`.
public final class WorkerPool: Service, Sendable {
    /// The job manager whose queue and records the pool works on.
    public let manager: JobManager
    /// The pool's settings.
    public let options: WorkerPoolOptions
    let clock: any QuaeroClock
    let logger: Logger
    /// The job log that handlers' loggers also write to, if any.
    let logService: LogService?
    let registry = HandlerRegistry()
    let backoff: Backoff
    let state: Mutex<State>

    /// A suspect waiting for its solo turn resumes with true (run) or false (the pool stops).
    typealias SoloWaiter = CheckedContinuation<Bool, Never>

    struct State {
        var slots: WorkerPoolState<SoloWaiter>
        var session: Session?
        var task: Task<Void, Never>?
        /// The attempts running in this pool, by job id: for lease checks and shutdown.
        var attempts: [String: (receipt: Receipt, signal: CancelSignal)] = [:]
    }

    /// One run of the pool, from `start` to the end of `stop`.
    struct Session: Sendable {
        let poolID: Int64
        /// When the pool started (the clock's time): its ticker and heartbeat count from here.
        let startedAt: Int64
        let doorbell: AsyncStream<Void>
        let ring: AsyncStream<Void>.Continuation
        /// Rings the dispatcher when the store signals the queue (cancelled when the serve loop ends).
        let wakeups: StoreSignals.Observation
        /// The ticker, which also wakes the pool when a rate-limited key may start.
        let timer = WakeTimer()
        let drained = Signal<Bool>()
        /// Fired by `stopRunningJobsNow()`: the drain stops waiting for the running attempts.
        let hurried = Signal<Bool>()
        let finished = Signal<Bool>()
        /// Records the ends of successful attempts together, where the store asks for it.
        let ends: EndBatcher?
    }

    /// Creates a pool over `manager`'s queue.
    ///
    /// - Parameters:
    ///   - clock: the pool's time (ticker, heartbeats, timeouts); the store's clock by default.
    ///   - logService: when given, what a handler logs through `JobContext.logger` is also stored in its
    ///     job's log.
    /// - Throws: `invalidArgument` naming a bad option.
    public init(manager: JobManager, options: WorkerPoolOptions = WorkerPoolOptions(), clock: (any QuaeroClock)? = nil,
                logger: Logger = Logger(label: "quaero.workers"), logService: LogService? = nil) throws {
        try options.validate()
        self.logService = logService
        self.manager = manager
        self.options = options
        self.clock = clock ?? manager.queue.clock
        self.logger = logger
        self.backoff = Backoff(options)
        self.state = Mutex(State(slots: WorkerPoolState(concurrency: options.concurrency)))
    }

    // MARK: Registration

    /// Routes messages of `type` to `handler`. Registering a type twice is a programmer error (a precondition).
    public func register(_ type: JobType, handler: @escaping JobHandler) {
        registry.register(type, handler)
    }

    /// Routes messages of `type` to a typed handler: the job's config decodes as `Config` (a config that does
    /// not is dead-lettered at once) and its output is stored as the job's result.
    public func register<Config: Decodable & Sendable, Output: Encodable & Sendable>(
        _ type: JobType, config: Config.Type,
        handler: @escaping @Sendable (Config, JobContext) async throws -> Output
    ) {
        registry.register(type, HandlerRegistry.typed(type, handler))
    }

    /// The types with a handler, sorted.
    public var registeredTypes: [JobType] { registry.types }

    /// What the pool leaves to remote workers: the types they serve (and `options.remoteTypes`) that it has no
    /// handler for. Never claimed, so never dead-lettered for want of a handler.
    var remoteTypePolicy: RemoteTypePolicy {
        RemoteTypePolicy(handled: registry.typeNames, declared: Set(options.remoteTypes.map(\.rawValue)))
    }

    /// The pool's id among the store's worker pools while it runs.
    public var poolID: Int64? { state.withLock { $0.session?.poolID } }

    /// How many slots are busy now (holding a delivery or claiming one).
    public var busySlots: Int { state.withLock { $0.slots.concurrency - $0.slots.idle } }

    /// Cuts a graceful stop short (a second Ctrl-C): the running jobs are told to stop now, as when
    /// `shutdownTimeout` passes, and their messages go back to the queue to run again. Called before the stop has
    /// begun, it stops nothing yet, and that run's stop will not wait: a second Ctrl-C can come before the
    /// service group, which stops the services one by one, has reached the pool.
    public func stopRunningJobsNow() {
        state.withLock { $0.session }?.hurried.fire(true)
    }

    // MARK: Lifecycle

    /// Runs the pool until graceful shutdown (or `stop()`), then stops it gracefully.
    public func run() async throws {
        let session = try await prepare()
        await withGracefulShutdownHandler {
            await self.serve(session)
        } onGracefulShutdown: {
            self.requestStop()
        }
        await finish(session)
    }

    /// Starts the pool in a task of its own (for embedding without a ServiceGroup); returns once it is
    /// registered and has released the leases of dead pools.
    ///
    /// - Throws: `conflict` when it already runs.
    public func start() async throws {
        let session = try await prepare()
        let task = Task {
            await self.serve(session)
            await self.finish(session)
        }
        state.withLock { $0.task = task }
    }

    /// Stops gracefully: no new claims; running handlers get `shutdownTimeout` to finish; the ones still
    /// running are cancelled and their messages released, to run at the next start. Returns when nothing of
    /// the pool is left running.
    public func stop() async {
        let (session, task) = state.withLock { ($0.session, $0.task) }
        requestStop()
        if let task {
            await task.value
            state.withLock { $0.task = nil }
        } else if let session {
            _ = await session.finished.wait()
        }
    }

    private func prepare() async throws -> Session {
        let (doorbell, ring) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let startedAt = clock.nowMillis()
        try state.withLock { s in
            guard s.session == nil else {
                throw QuaeroError(.conflict, "worker pool \(options.name) is already running; stop it before starting it again")
            }
            s.slots = WorkerPoolState(concurrency: options.concurrency)
        }
        let poolID = try await manager.registerPool(name: options.name, heartbeat: beatInterval)
        let released = try await manager.reapDeadPools(except: poolID)
        if released > 0 {
            logger.warning("released the leases of dead worker pools", metadata: ["messages": "\(released)"])
        }
        let session = Session(poolID: poolID, startedAt: startedAt, doorbell: doorbell, ring: ring,
                              wakeups: manager.store.signals.observe(queue: manager.queue.name) { [weak self] in self?.wake() },
                              ends: manager.store.batchesJobEnds ? endBatcher(poolID: poolID) : nil)
        try state.withLock { s in
            guard s.session == nil else { throw QuaeroError(.conflict, "worker pool \(options.name) was started twice at once") }
            s.session = session
        }
        ring.yield()  // look for work at once
        logger.info("worker pool started", metadata: [
            "pool": "\(poolID)", "concurrency": "\(options.concurrency)", "types": "\(registry.types.map(\.rawValue))",
        ])
        return session
    }

    /// The batcher of this pool's ends while it runs as pool `poolID`.
    private func endBatcher(poolID: Int64) -> EndBatcher {
        EndBatcher(manager: manager, request: { [self] limit in
            manager.request(limit: limit, owner: poolID, worker: options.name, leaving: remoteTypePolicy)
        })
    }

    /// Stops claiming; the serve loop then drains. A suspect waiting for its solo turn gives up.
    func requestStop() {
        let (ring, waiter) = state.withLock { s in (s.session?.ring, s.slots.stop()) }
        ring?.finish()
        waiter?.resume(returning: false)
    }

    private func finish(_ session: Session) async {
        do {
            try await manager.unregisterPool(session.poolID)
        } catch {
            logger.error("could not unregister the worker pool", metadata: ["pool": "\(session.poolID)", "error": "\(error)"])
        }
        state.withLock { $0.session = nil }
        session.finished.fire(true)
        logger.info("worker pool stopped", metadata: ["pool": "\(session.poolID)"])
    }

    /// How often the pool beats: its heartbeat interval, or a third of the visibility timeout when that is
    /// shorter (so that leases are extended in time).
    var beatInterval: Duration { min(options.heartbeatInterval, manager.queue.options.visibilityTimeout / 3) }

    /// Work may be waiting: rings the dispatcher when a slot is free.
    func wake() {
        let ring = state.withLock { s in s.slots.wake() ? s.session?.ring : nil }
        ring?.yield()
    }
}
