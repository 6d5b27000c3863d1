public import Logging

/// Job records over the queue: create, read, list, update, delete, copy and cancel jobs, follow their events,
/// and await their results. A thin façade over `JobEngine` (the rules) and the queue's store.
///
/// Every write that changes a job also publishes its events (after the commit) to `events()` subscribers and
/// to the sinks added with `addSink`.
public final class JobManager: Sendable {
    /// The queue that carries the jobs' messages.
    public let queue: Queue
    /// The store of the queue and the records.
    public var store: any QuaeroStore { queue.store }
    /// Per-type policies and the limits of limit keys (DESIGN §8).
    public var policies: JobPolicies { engine.policies }
    let engine: JobEngine
    let bus = JobEventBus()
    let running = RunningJobs()
    let logger: Logger

    /// Creates the manager of the jobs carried by `queue`, with `policies` for their types and limit keys.
    ///
    /// - Throws: `invalidArgument` naming a bad policy.
    public init(queue: Queue, policies: JobPolicies, logger: Logger = Logger(label: "quaero.jobs")) throws {
        try policies.validate()
        self.queue = queue
        self.engine = JobEngine(queue: queue, policies: policies)
        self.logger = logger
    }

    /// Creates the manager of the jobs carried by `queue`, without per-type policies or limits.
    public init(queue: Queue, logger: Logger = Logger(label: "quaero.jobs")) {
        self.queue = queue
        self.engine = JobEngine(queue: queue, policies: JobPolicies())
        self.logger = logger
    }

    /// Creates the manager of the jobs carried by the queue of `queueManager`.
    public convenience init(queueManager: QueueManager, logger: Logger = Logger(label: "quaero.jobs")) {
        self.init(queue: queueManager.queue, logger: logger)
    }

    /// Reconciles records left behind by a crashed process with the queue: running jobs whose message is back
    /// in the queue become pending; unfinished jobs whose message is dead or gone are failed; parents whose
    /// children all ended are finished. Call once before serving (the composition of `quaero` does).
    public func start() async throws {
        let events = try await write { tx in try await self.engine.reconcile(in: tx) }
        if !events.isEmpty { logger.info("reconciled job records after a restart", metadata: ["changes": "\(events.count)"]) }
    }

    // MARK: Events

    /// Every job event from now on, in-process and without polling (ends when the task iterating it is
    /// cancelled or the stream is dropped).
    public func events() -> AsyncStream<JobEvent> { bus.subscribe() }

    /// Adds a sink that receives every event synchronously (for example the log service).
    public func addSink(_ sink: any JobEventSink) { bus.addSink(sink) }

    /// Publishes `events` once the transaction `tx` commits.
    func publish(_ events: [JobEvent], after tx: any StoreTransaction) {
        guard !events.isEmpty else { return }
        let bus = self.bus
        tx.afterCommit { bus.publish(events) }
    }

    /// Runs `body` in one write transaction and publishes the events it returns after the commit.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) async throws -> (T, [JobEvent])) async throws -> T {
        try await store.write { tx in
            let (value, events) = try await body(tx)
            self.publish(events, after: tx)
            return value
        }
    }

    /// Runs `body` in one write transaction and publishes the events it returns after the commit.
    func write(_ body: @escaping @Sendable (any StoreTransaction) async throws -> [JobEvent]) async throws -> [JobEvent] {
        try await write { tx in
            let events = try await body(tx)
            return (events, events)
        }
    }

    // MARK: Create

    /// Writes the job record and enqueues its message in one transaction.
    ///
    /// - Throws: `notFound` for an unknown parent, `conflict` for a parent that already ended,
    ///   `invalidArgument` for a bad id, delay or key.
    @discardableResult
    public func createJob(_ spec: JobSpec) async throws -> Job {
        try await write { tx in try await self.engine.create(spec, in: tx) }
    }

    /// Creates many jobs in one transaction: all are stored or none (for example a crawl's seed URLs).
    @discardableResult
    public func createJobs(_ specs: [JobSpec]) async throws -> [Job] {
        try await write { tx in try await self.engine.create(specs, in: tx) }
    }

    /// Writes the job record and enqueues its message inside a transaction the caller opened, so that they
    /// commit together with the caller's own rows.
    @discardableResult
    public func createJob(_ spec: JobSpec, in tx: any StoreTransaction) async throws -> Job {
        let (job, events) = try await engine.create(spec, in: tx)
        publish(events, after: tx)
        return job
    }

    /// Creates many jobs inside a transaction the caller opened (a crawled page's new links with its document):
    /// plain ones with one statement per kind of row. Returns them in order.
    @discardableResult
    public func createJobs(_ specs: [JobSpec], in tx: any StoreTransaction) async throws -> [Job] {
        let (jobs, events) = try await engine.create(specs, in: tx)
        publish(events, after: tx)
        return jobs
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
        try await write { tx in
            let original = try Self.require(id, await tx.job(id))
            var parentAlive = false
            if let parentID = original.parentID { parentAlive = try await tx.job(parentID)?.status.isTerminal == false }
            let spec = JobSpec(type: original.type, config: original.config, fields: original.fields,
                               parentID: parentAlive ? original.parentID : nil, failOnChildFailure: original.failOnChildFailure)
            return try await self.engine.create(spec, in: tx)
        }
    }

    // MARK: Read

    /// The job `id`.
    ///
    /// - Throws: `notFound`.
    public func getJob(_ id: String) async throws -> Job {
        try await store.read { reader in try Self.require(id, await reader.job(id)) }
    }

    /// The job `id` as the transaction `tx` sees it, nil when there is none (for a handler's own write).
    public func job(_ id: String, in tx: any StoreReader) async throws -> Job? {
        try await tx.job(id)
    }

    /// The job `id` with its direct children, oldest first.
    public func getJobWithChildren(_ id: String) async throws -> JobWithChildren {
        try await store.read { reader in
            JobWithChildren(job: try Self.require(id, await reader.job(id)), children: try await reader.children(of: id))
        }
    }

    /// Jobs matching `filter`, newest first.
    ///
    /// - Throws: `invalidArgument` for a limit outside 1...1000 or a negative offset.
    public func listJobs(_ filter: JobFilter = JobFilter()) async throws -> [Job] {
        guard (1...1000).contains(filter.limit), filter.offset >= 0 else {
            throw QuaeroError(.invalidArgument, "job paging needs a limit within 1...1000 and offset ≥ 0, got \(filter.limit) and \(filter.offset)")
        }
        var filter = filter
        // Blank search words search for nothing: the listing is unfiltered.
        if filter.search?.contains(where: { !$0.isWhitespace }) == false { filter.search = nil }
        if let search = filter.search, search.utf8.count > JobFilter.maxSearchLength {
            throw QuaeroError(.invalidArgument, "the job search is \(search.utf8.count) bytes long; the limit is \(JobFilter.maxSearchLength)")
        }
        return try await store.read { [filter] reader in try await reader.jobs(filter) }
    }

    /// Up to `limit` top-level jobs that ended at least `age` ago with one of `statuses`, oldest first (what a
    /// cleanup deletes).
    public func endedJobs(olderThan age: Duration, statuses: [JobStatus], limit: Int = 1000) async throws -> [String] {
        let cutoff = queue.clock.nowMillis() - age.milliseconds
        return try await store.read { reader in try await reader.endedJobs(before: cutoff, statuses: statuses, limit: limit) }
    }

    /// Counts by status and the average run time, per job type.
    public func stats() async throws -> [JobType: JobTypeStats] {
        try await store.read { reader in try await reader.jobStats() }
    }

    static func require(_ id: String, _ job: Job?) throws -> Job {
        guard let job else { throw QuaeroError(.notFound, "job \(id) does not exist; list jobs with `quaero jobs list`") }
        return job
    }

    // MARK: Change

    /// Changes a job's config, progress, message or result; returns the updated record.
    @discardableResult
    public func updateJob(_ id: String, _ changes: JobChanges) async throws -> Job {
        try await write { tx in
            let job = try Self.require(id, await tx.updateJob(id, changes))
            guard changes.progress != nil || changes.message != nil else { return (job, []) }
            return (job, [JobEvent(kind: .progress, jobID: id, type: job.type, parentID: job.parentID, status: job.status,
                                   attempt: job.attempts, progress: job.progress, message: job.message, at: job.updatedAt)])
        }
    }

    /// Cancels a pending or running job and its unfinished descendants: queued messages are deleted and running
    /// handlers (in this process at once, in others at their next lease heartbeat) are cancelled. Returns the
    /// ids cancelled.
    ///
    /// - Throws: `notFound`; `conflict` when the job already ended.
    @discardableResult
    public func cancel(_ id: String) async throws -> [String] {
        let cancelled = try await write { tx in try await self.engine.cancel(id, in: tx) }
        running.stop(cancelled, reason: .cancelled)
        return cancelled
    }

    /// Deletes a job with its children, their messages and their logs; running handlers are cancelled.
    ///
    /// - Throws: `notFound`.
    public func deleteJob(_ id: String) async throws {
        let unfinished = try await write { tx in try await self.engine.delete(id, in: tx) }
        running.stop(unfinished, reason: .cancelled)
    }

    // MARK: Dead letters

    /// Puts dead letters back in the queue with a fresh receive count (those with `ids`, or all when nil) and
    /// runs their failed jobs again; returns the messages requeued.
    @discardableResult
    public func requeueDeadLetters(_ ids: [MessageID]? = nil) async throws -> [RequeuedMessage] {
        try await write { tx in try await self.engine.requeueDeadLetters(ids, in: tx) }
    }
}
