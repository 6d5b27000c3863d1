public import Logging

/// Job records over the queue: create, read, list, update, delete, copy and cancel jobs, follow their events,
/// and await their results. A thin façade over `JobStore`, which holds the SQL.
///
/// Every write that changes a job also publishes its events (after the commit) to `events()` subscribers and
/// to the sinks added with `addSink`.
public final class JobManager: Sendable {
    /// The queue that carries the jobs' messages.
    public let queue: Queue
    /// The database of the queue and the records.
    public var database: Database { queue.database }
    let store: JobStore
    let bus = JobEventBus()
    let running = RunningJobs()
    let logger: Logger

    /// Creates the manager of the jobs carried by `queue`.
    public init(queue: Queue, logger: Logger = Logger(label: "quaero.jobs")) {
        self.queue = queue
        self.store = JobStore(queue: queue)
        self.logger = logger
    }

    /// Creates the manager of the jobs carried by the queue of `queueManager`.
    public convenience init(queueManager: QueueManager, logger: Logger = Logger(label: "quaero.jobs")) {
        self.init(queue: queueManager.queue, logger: logger)
    }

    /// Reconciles records left behind by a crashed process with the queue: running jobs whose message is back
    /// in the queue become pending; unfinished jobs whose message is dead or gone are failed; parents whose
    /// children all ended are finished. Call once before serving; `WorkerPool` also calls it when it starts.
    public func start() async throws {
        let events = try await store.reconcile()
        if !events.isEmpty { logger.info("reconciled job records after a restart", metadata: ["changes": "\(events.count)"]) }
        bus.publish(events)
    }

    // MARK: Events

    /// Every job event from now on, in-process and without polling (ends when the task iterating it is
    /// cancelled or the stream is dropped).
    public func events() -> AsyncStream<JobEvent> { bus.subscribe() }

    /// Adds a sink that receives every event synchronously (for example the log service).
    public func addSink(_ sink: any JobEventSink) { bus.addSink(sink) }

    /// Publishes events once the transaction of `connection` commits.
    func publish(_ events: [JobEvent], after connection: Connection) {
        guard !events.isEmpty else { return }
        let bus = self.bus
        connection.afterCommit { bus.publish(events) }
    }

    // MARK: Create

    /// Writes the job record and enqueues its message in one transaction.
    ///
    /// - Throws: `notFound` for an unknown parent, `conflict` for a parent that already ended,
    ///   `invalidArgument` for a bad id, delay or key.
    @discardableResult
    public func createJob(_ spec: JobSpec) async throws -> Job {
        try await database.write { try self.createJob(spec, in: $0) }
    }

    /// Creates many jobs in one transaction: all are stored or none (for example a crawl's seed URLs).
    @discardableResult
    public func createJobs(_ specs: [JobSpec]) async throws -> [Job] {
        try await database.write { connection in try specs.map { try self.createJob($0, in: connection) } }
    }

    /// Writes the job record and enqueues its message inside a transaction the caller opened, so that they
    /// commit together with the caller's own rows.
    @discardableResult
    public func createJob(_ spec: JobSpec, in connection: Connection) throws -> Job {
        let (job, events) = try store.create(spec, in: connection)
        publish(events, after: connection)
        return job
    }

    /// Creates a job and returns a handle on it, subscribed before the job can start (no update is missed).
    public func submit<Result: Decodable & Sendable>(_ spec: JobSpec, as resultType: Result.Type = JSONValue.self) async throws -> JobHandle<Result> {
        var spec = spec
        let id = spec.id ?? JobMessage.newID()
        spec.id = id
        let handle = JobHandle<Result>(id: id, manager: self)
        try await createJob(spec)
        return handle
    }

    /// A handle on an existing job.
    public func handle<Result: Decodable & Sendable>(for id: String, as resultType: Result.Type = JSONValue.self) -> JobHandle<Result> {
        JobHandle(id: id, manager: self)
    }

    /// Creates a new job with the same type, config, fields and parent as `id` (a rerun).
    @discardableResult
    public func copyJob(_ id: String) async throws -> Job {
        try await database.write { connection in
            let original = try self.store.get(id, in: connection)
            let parentAlive = try original.parentID.map { try self.store.get($0, in: connection).status.isTerminal == false } ?? false
            let spec = JobSpec(type: original.type, config: original.config, fields: original.fields,
                               parentID: parentAlive ? original.parentID : nil, failOnChildFailure: original.failOnChildFailure)
            return try self.createJob(spec, in: connection)
        }
    }

    // MARK: Read

    /// The job `id`.
    ///
    /// - Throws: `notFound`.
    public func getJob(_ id: String) async throws -> Job {
        try await database.read { try self.store.get(id, in: $0) }
    }

    /// The job `id` with its direct children, oldest first.
    public func getJobWithChildren(_ id: String) async throws -> JobWithChildren {
        try await database.read { connection in
            JobWithChildren(job: try self.store.get(id, in: connection), children: try self.store.children(of: id, in: connection))
        }
    }

    /// Jobs matching `filter`, newest first.
    ///
    /// - Throws: `invalidArgument` for a limit outside 1...1000 or a negative offset.
    public func listJobs(_ filter: JobFilter = JobFilter()) async throws -> [Job] {
        guard (1...1000).contains(filter.limit), filter.offset >= 0 else {
            throw QuaeroError(.invalidArgument, "job paging needs a limit within 1...1000 and offset ≥ 0, got \(filter.limit) and \(filter.offset)")
        }
        return try await database.read { try self.store.list(filter, in: $0) }
    }

    /// Counts by status and the average run time, per job type.
    public func stats() async throws -> [JobType: JobTypeStats] {
        try await database.read { try self.store.stats(in: $0) }
    }

    // MARK: Change

    /// Changes a job's config, progress, message or result; returns the updated record.
    @discardableResult
    public func updateJob(_ id: String, _ changes: JobChanges) async throws -> Job {
        let job = try await database.write { try self.store.update(id, changes, in: $0) }
        if changes.progress != nil || changes.message != nil {
            bus.publish(JobEvent(kind: .progress, jobID: id, type: job.type, parentID: job.parentID, status: job.status,
                                 attempt: job.attempts, progress: job.progress, message: job.message, at: job.updatedAt))
        }
        return job
    }

    /// Cancels a pending or running job and its unfinished descendants: queued messages are deleted and running
    /// handlers (in this process at once, in others at their next lease heartbeat) are cancelled. Returns the
    /// ids cancelled.
    ///
    /// - Throws: `notFound`; `conflict` when the job already ended.
    @discardableResult
    public func cancel(_ id: String) async throws -> [String] {
        let cancelled = try await database.write { connection in
            let (cancelled, events) = try self.store.cancel(id, in: connection)
            self.publish(events, after: connection)
            return cancelled
        }
        running.stop(cancelled, reason: .cancelled)
        return cancelled
    }

    /// Deletes a job with its children, their messages and their logs; running handlers are cancelled.
    ///
    /// - Throws: `notFound`.
    public func deleteJob(_ id: String) async throws {
        let unfinished = try await database.write { connection in
            let (unfinished, events) = try self.store.delete(id, in: connection)
            self.publish(events, after: connection)
            return unfinished
        }
        running.stop(unfinished, reason: .cancelled)
    }
}
