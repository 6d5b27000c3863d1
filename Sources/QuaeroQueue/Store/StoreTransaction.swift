import Foundation

/// The reads a store answers, on a consistent view (inside a write transaction, or on a read-only view).
public protocol StoreReader: Sendable {
    // MARK: Queue

    /// Counts of `queue`'s messages by state, in total and per type, and the age of the oldest ready one.
    func queueStats(queue: String) async throws -> QueueStats
    /// Dead letters of `queue`, oldest first.
    func deadLetters(queue: String, limit: Int, offset: Int) async throws -> [DeadLetter]
    /// Dead letters matching `query`, newest first (when they died, then id), keyset paged: the time of a
    /// page does not grow with the number of dead letters.
    func deadLetters(_ query: DeadLetterQuery) async throws -> [DeadLetter]
    /// How many current leases (deliveries of jobs in flight) each worker pool holds in `queue`; pools holding
    /// none are absent. Like the in-flight listing, a store may find them through the running jobs.
    func leaseCounts(queue: String) async throws -> [Int64: Int]
    /// Messages matching `query`, with their delivery state, in the order `MessageQuery` gives.
    func messages(_ query: MessageQuery) async throws -> [QueuedMessage]

    // MARK: Jobs

    /// The job `id`, or nil.
    func job(_ id: String) async throws -> Job?
    /// Jobs matching `filter`, newest first; with `filter.search`, in the order they were indexed, newest first.
    /// Every criterion is served by an index (the time range through `filter.idRange`), and `filter.after`
    /// pages without reading the jobs before it.
    func jobs(_ filter: JobFilter) async throws -> [Job]
    /// The direct children of `parentID`, oldest first.
    func children(of parentID: String) async throws -> [Job]
    /// The combined progress of every job below `id` (its children, theirs, and so on): how many there are,
    /// how many ended well and how many badly, summed from the engine's child counters of `id` and of each
    /// descendant that has children (zero for a job without children, or none). SQLite reads only the parent
    /// index for the leaves, and the rows of the jobs that have children.
    func descendantProgress(of id: String) async throws -> JobProgress
    /// Counts by status and the average run time, per job type (types without jobs are absent). Read from
    /// counters the store keeps in the same transaction as each status change (DESIGN §5), so the time does
    /// not grow with the jobs table.
    func jobStats() async throws -> [JobType: JobTypeStats]
    /// How many jobs completed and failed in each minute from `minute` on (UTC minutes since the epoch), oldest
    /// first; minutes without an end may be absent. Kept like `jobStats`, in the transaction that ends each job,
    /// for at least the last 24 hours.
    func jobEndsPerMinute(since minute: Int64) async throws -> [JobMinuteCounts]
    /// Up to `limit` top-level jobs that ended before `cutoff` (store time, UTC milliseconds) with one of
    /// `statuses`, oldest first.
    func endedJobs(before cutoff: Int64, statuses: [JobStatus], limit: Int) async throws -> [String]

    // MARK: Worker pools

    /// The registered worker pools, oldest first.
    func workerPools() async throws -> [WorkerPoolRecord]

    // MARK: Remote workers

    /// The job types some remote worker serves now: those of the announcements that have not expired.
    func remoteWorkerTypes() async throws -> Set<String>
    /// Every announcement not forgotten yet (live or expired), by worker name, then type.
    func remoteWorkers() async throws -> [RemoteWorkerRecord]

    // MARK: Storage

    /// The size of the database in bytes, nil when the store cannot tell.
    func storageSize() async throws -> Int64?

    // MARK: Logs

    /// Log lines matching `query`.
    func logs(_ query: JobLogQuery) async throws -> [JobLogEntry]
    /// How many lines job `jobID` has.
    func logCount(jobID: String) async throws -> Int
    /// Lines per level, of one job or (nil) of every job; levels without lines are absent.
    func logCountsByLevel(jobID: String?) async throws -> [LogLevel: Int]

    // MARK: Flow control and schedules (DESIGN §8)

    /// What of `queue` is paused, as stored (not through any cache).
    func pauses(queue: String) async throws -> QueuePause
    /// How many messages of `queue` are ready now, counting at most `limit` of them (the check of
    /// `max_ready` needs no more).
    func readyCount(queue: String, limit: Int) async throws -> Int
    /// The newest job with unique key `key` created at or after `since` (store time, UTC milliseconds) whose
    /// status is one of `statuses`, or nil.
    func uniqueJob(key: String, since: Int64, statuses: [JobStatus]) async throws -> Job?
    /// Every schedule the store has state for, by name.
    func schedules() async throws -> [ScheduleState]
    /// The lease `name` as stored (held or lapsed), or nil when nobody ever took it.
    func leaderLease(_ name: String) async throws -> LeaderLease?
}

/// What the engine writes, inside one transaction of a store (`QuaeroStore.write`).
///
/// Every method that names a delivery by its `Receipt` changes nothing when that delivery is no longer
/// current, and says so in its result (nil, false, or the receipt left out of a set).
public protocol StoreTransaction: StoreReader {
    /// Runs `action` once this transaction has committed (never when it rolls back).
    func afterCommit(_ action: @escaping @Sendable () -> Void)

    // MARK: Messages

    /// Stores `messages` in `queue` in order and returns what was stored for each (a message whose dedup key
    /// a live message holds is not stored: its result names that message).
    func send(_ messages: [NewMessage], queue: String) async throws -> [SentMessage]
    /// Leases up to `request.limit` visible messages, best priority first and FIFO within a priority;
    /// messages already delivered `maxReceive` times are dead-lettered on the way.
    func receive(_ request: ReceiveRequest) async throws -> Delivery
    /// As `receive`, and starts the job of each delivered message (a new attempt: `running`, attempts + 1,
    /// its worker set to `request.worker`).
    /// A delivered message whose job has ended or does not exist comes back with no job.
    func claim(_ request: ReceiveRequest) async throws -> ClaimBatch
    /// Hides each current delivery for `duration` more, counted from now; returns the receipts still current.
    func extend(_ receipts: [Receipt], by duration: Duration) async throws -> Set<Receipt>
    /// Marks the current deliveries among `receipts` as running alone (see `releaseLeases(ofPool:reason:)`);
    /// returns those still current.
    func markSolo(_ receipts: [Receipt]) async throws -> Set<Receipt>
    /// Deletes the messages of the current deliveries; returns the receipts that were current.
    func delete(_ receipts: [Receipt]) async throws -> Set<Receipt>
    /// Gives a delivery back for another one after `delay`, recording `error`; dead-letters the message
    /// instead when it was delivered `maxReceive` times. Nil when the delivery is no longer current.
    func release(_ receipt: Receipt, after delay: Duration, error: String?, maxReceive: Int) async throws -> ReleaseOutcome?
    /// Gives a delivery back at once without counting it (an attempt cut short by shutdown); false when it
    /// is no longer current.
    func giveBack(_ receipt: Receipt) async throws -> Bool
    /// Dead-letters the message of a current delivery with `reason`; false when it is no longer current.
    func deadLetter(_ receipt: Receipt, reason: String) async throws -> Bool
    /// Gives a delivery back after `delay` without counting it (a snooze): its receive count is refunded and
    /// its last error kept. False when it is no longer current.
    func snooze(_ receipt: Receipt, after delay: Duration) async throws -> Bool
    /// Deletes messages by id, whatever their state (the messages of cancelled or deleted jobs).
    func deleteMessages(_ ids: [MessageID]) async throws
    /// Puts dead letters of `queue` back with a fresh receive count: those with `ids`, or all when nil.
    func requeueDeadLetters(queue: String, ids: [MessageID]?) async throws -> [RequeuedMessage]
    /// Deletes the dead letters of `queue` that died at least `age` ago; returns how many.
    func purgeDeadLetters(queue: String, olderThan age: Duration) async throws -> Int
    /// Deletes every live message of `queue` (ready, delayed and in flight; not dead letters); returns how many.
    func purgeMessages(queue: String) async throws -> Int

    // MARK: Worker pools

    /// Registers a running pool and returns its id (never reused).
    func registerPool(name: String, pid: Int, heartbeat: Duration) async throws -> Int64
    /// Records that pool `id` is alive now (registering it again under the same id if it was reaped).
    func heartbeat(pool id: Int64, name: String, pid: Int, heartbeat: Duration) async throws
    /// Pools other than `asking` that missed three heartbeats.
    func deadPools(except asking: Int64) async throws -> [Int64]
    /// Gives back every lease pool `id` holds, at once, with `reason` as the last error. A delivery marked
    /// solo keeps its receive count (a crash can be its own doing); the others get theirs refunded.
    func releaseLeases(ofPool id: Int64, reason: String) async throws -> [ReleasedDelivery]
    /// Forgets pool `id`.
    func deletePool(_ id: Int64) async throws

    // MARK: Remote workers

    /// Records that remote worker `name` serves each of `types` from now until `liveFor` from now (an
    /// announcement of the same name and type is renewed, keeping when it was first seen).
    func announceWorker(name: String, types: Set<String>, liveFor: Duration) async throws
    /// Renews every live announcement of remote worker `name` until at least `liveFor` from now (a heartbeat of
    /// a job it holds); an expired one stays expired.
    func renewWorker(name: String, liveFor: Duration) async throws
    /// Forgets the announcements that expired at least `age` ago; returns how many.
    func forgetWorkers(expiredFor age: Duration) async throws -> Int

    // MARK: Job records

    /// Stores a new job record (status pending) and returns it.
    func insertJob(_ record: NewJobRecord) async throws -> Job
    /// Stores new job records (status pending) and returns them in order. A store with round trips makes it
    /// one statement; the default inserts one record after the other.
    func insertJobs(_ records: [NewJobRecord]) async throws -> [Job]
    /// Counts `count` new children on `parentID` unless it has ended. Returns nil when there is no such job, its
    /// status when it has ended (nothing counted), and a status that has not ended when the children were
    /// counted.
    func countChildren(of parentID: String, count: Int) async throws -> JobStatus?
    /// Makes message `messageID` the one that runs job `jobID` (a message sent without a record, adopted).
    func attachMessage(_ messageID: MessageID, toJob jobID: String) async throws
    /// Starts another attempt of unfinished job `id` (`running`, attempts + 1) and returns it; nil when it
    /// has ended or does not exist.
    func startJob(_ id: String) async throws -> Job?
    /// Changes a job's config, progress, message or result; nil when there is no such job.
    func updateJob(_ id: String, _ changes: JobChanges) async throws -> Job?
    /// Records that the handler of running job `job` succeeded with `result`; the job completes, or waits for
    /// its children. Nil when the job is not running.
    func completeJob(_ job: Job, result: JSONValue?) async throws -> JobEnd?
    /// `completeJob` of each of `completions`, in one call where the store can (the PostgreSQL store: one
    /// statement); the ends in the same order, nil for a job that was not running.
    func completeJobs(_ completions: [JobCompletion]) async throws -> [JobEnd?]
    /// Deletes the deliveries `receipts` of succeeded attempts (fenced by their leases, as `delete`) and
    /// completes the jobs of those deleted, as `completeJobs`: `receipts[i]` is the delivery of `completions[i]`.
    /// Returns the deliveries deleted, and each completion's end (nil where its delivery was not current or its
    /// job was not running). A store with round trips makes it one statement; the default runs the two.
    func deleteAndCompleteJobs(_ completions: [JobCompletion], receipts: [Receipt]) async throws -> (deleted: Set<Receipt>, ends: [JobEnd?])
    /// A failed attempt of running job `id`: back to pending with `error`.
    func retryJob(_ id: String, error: String) async throws
    /// Ends unfinished job `id` as failed with `error`; nil when it had already ended or does not exist.
    func failJob(_ id: String, error: String) async throws -> JobEnd?
    /// Running jobs among `ids` go back to pending (their attempt was cut short).
    func unstartJobs(_ ids: [String]) async throws
    /// Running job `id` goes back to pending and its attempt is not counted (attempts − 1): it snoozed.
    func snoozeJob(_ id: String) async throws
    /// Ends unfinished job `id` as cancelled; false when it had already ended.
    func cancelJob(_ id: String) async throws -> Bool
    /// Job `id` and all its descendants, with what cancel and delete need; empty when there is no such job.
    func jobTree(of id: String) async throws -> [JobNode]
    /// Deletes job `id` with its descendants and their logs.
    func deleteJob(_ id: String) async throws
    /// Takes a removed child off `parentID`'s counters (`ended`: it had ended; `failed`: badly).
    func uncountChild(of parentID: String, ended: Bool, failed: Bool) async throws
    /// Counts a child's end on `parentID`; returns the parent's progress after it, nil when there is no such job.
    func childEnded(of parentID: String, failed: Bool) async throws -> ParentProgress?
    /// Ends running job `id` when its handler is done and all its children ended: failed when any child
    /// failed and it fails on child failure, or when every child failed; completed otherwise. Nil when it
    /// still waits (or is not running).
    func settleParent(_ id: String) async throws -> JobEnd?
    /// Failed jobs whose dead-lettered messages were requeued run again: back to pending with that message,
    /// and no longer counted as ended on their parent. Returns those revived.
    func reviveJobs(_ requeued: [RequeuedMessage]) async throws -> [JobEnd]

    // MARK: Reconciliation after a crash

    /// Running jobs whose message is back in the queue, not leased by anyone, go back to pending; returns how many.
    func requeueRunningJobs() async throws -> Int
    /// Unfinished jobs whose message is dead or gone, with the reason.
    func orphanedJobs() async throws -> [(id: String, reason: String)]
    /// Running jobs whose handler is done and whose children all ended (a crash came between).
    func stalledParents() async throws -> [String]

    // MARK: Flow control and schedules (DESIGN §8)
    //
    // What every claim honours, on every store:
    // - **Pauses**: no message of a paused queue, or of a paused type in it, is delivered. A pause made
    //   through this handle holds for its next claim; one made through another handle (another process)
    //   within `QueuePause.staleness`: a store may cache the pauses that long.
    // - **Limits** (`NewMessage.limits`): a message is delivered only while fewer than `maxInFlight`
    //   messages of its key, and fewer than `typeMaxInFlight` of its type in its queue, hold a current
    //   lease (counted in the claim's own transaction, the messages it leases included); and only when its
    //   key's rate allows a start: each start of a key moves the key's next start `interval` later (from
    //   the previous next start when that is less than one interval ago, so that the rate holds on average;
    //   from now otherwise, so that an idle key gets no burst). A message skipped for a limit is not
    //   touched: the claim goes on with the next candidates, so other keys are not starved; a rate-limited
    //   skip reports the key's next start in `rateLimitedUntil`.
    // - **Per-type max_receive** (`ReceiveRequest.maxReceiveByType`).

    /// Pauses (true) or resumes (false) `queue`, or only messages of `type` in it; returns whether that
    /// changed anything.
    func setPaused(_ paused: Bool, queue: String, type: String?) async throws -> Bool
    /// Forgets the rate state of limit keys whose next start is before `cutoff` (UTC milliseconds): they are
    /// idle, and an idle key starts from now anyway. Returns how many.
    func pruneLimitKeys(before cutoff: Int64) async throws -> Int
    /// Takes the lease `name` for `holder` until `ttl` from now, or renews it when `holder` holds it: true
    /// when nobody holds it (or its holder let it lapse) or `holder` does; false when another holder does.
    func acquireLease(_ name: String, holder: String, ttl: Duration) async throws -> Bool
    /// Gives the lease `name` up if `holder` holds it, so that another process can take it at once.
    func releaseLease(_ name: String, holder: String) async throws
    /// The state of schedule `name`, created (not paused, watermark now: nothing before now is due) when
    /// the store has none.
    func ensureSchedule(_ name: String) async throws -> ScheduleState
    /// Moves the watermark of schedule `name` from `watermark` to `newWatermark`; false (nothing changed)
    /// when its watermark is no longer `watermark`: another process handled those fire times.
    func advanceSchedule(_ name: String, from watermark: Int64, to newWatermark: Int64) async throws -> Bool
    /// Records that schedule `name` created job `jobID` now.
    func recordScheduleFire(_ name: String, jobID: String) async throws
    /// Pauses (true) or resumes (false) schedule `name` (creating its state when the store has none);
    /// returns whether that changed anything.
    func setSchedulePaused(_ name: String, paused: Bool) async throws -> Bool

    // MARK: Logs

    /// Appends `entries` in order; a line whose job does not exist is skipped and counted, not an error.
    func appendLogs(_ entries: [NewJobLogEntry]) async throws -> JobLogAppendResult
    /// Deletes a job's lines; returns how many.
    func deleteLogs(jobID: String) async throws -> Int
    /// Deletes up to `limit` lines appended before `cutoff` (UTC milliseconds); returns how many.
    func deleteLogs(olderThan cutoff: Int64, limit: Int) async throws -> Int
}

extension StoreTransaction {
    public func insertJobs(_ records: [NewJobRecord]) async throws -> [Job] {
        var jobs: [Job] = []
        for record in records { jobs.append(try await insertJob(record)) }
        return jobs
    }

    public func deleteAndCompleteJobs(_ completions: [JobCompletion], receipts: [Receipt]) async throws -> (deleted: Set<Receipt>, ends: [JobEnd?]) {
        try await deleteThenCompleteJobs(completions, receipts: receipts)
    }

    /// `deleteAndCompleteJobs` as two calls: `delete`, then `completeJobs` of the deliveries deleted.
    public func deleteThenCompleteJobs(_ completions: [JobCompletion], receipts: [Receipt]) async throws -> (deleted: Set<Receipt>, ends: [JobEnd?]) {
        let deleted = try await delete(receipts)
        let current = zip(completions, receipts).filter { deleted.contains($0.1) }.map(\.0)
        var ends = try await completeJobs(current)[...]
        return (deleted, receipts.map { deleted.contains($0) ? ends.popFirst() ?? nil : nil })
    }

    public func completeJobs(_ completions: [JobCompletion]) async throws -> [JobEnd?] {
        var ends: [JobEnd?] = []
        for completion in completions { ends.append(try await completeJob(completion.job, result: completion.result)) }
        return ends
    }
}
