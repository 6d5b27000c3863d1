public import Logging
public import ServiceLifecycle

/// Fires cron schedules (DESIGN §8): at each fire time of each schedule, one job, however many processes
/// run a scheduler and however often they restart.
///
/// Every process may run one; the one holding the lease (`Leadership`: the `scheduler` lease, or the one it is
/// given, such as the app's `LeaderElection`'s, so that one process leads all the cluster-wide work) fires (and
/// forgets the rate state of idle limit keys), the others stand by and take over when the lease lapses, within
/// its TTL of the holder's death. Exactly one job per fire time does not rest on the lease: each fire moves the
/// schedule's watermark in the store by a compare-and-set in the transaction that creates the job, and the job
/// carries a unique key per schedule and fire time, so two processes that both believe they lead still create
/// one job.
///
/// After a downtime each schedule's catch-up policy picks what fires of the times missed. A paused or
/// disabled schedule's fire times pass without a job. A schedule the store has never seen starts from now.
public final class Scheduler: Service, Sendable {
    /// The scheduler's settings.
    public struct Options: Sendable, Equatable {
        /// How long the lease holds, when the scheduler has one of its own; a standby takes over within it.
        public var leaseTTL: Duration
        /// A fire time more late than this counts as missed (for `catch_up = "none"`).
        public var grace: Duration
        /// The most missed fire times one look fires with `catch_up = "all"` (the rest at the next looks).
        public var maxCatchUp: Int
        /// How long a fired job holds its unique key.
        public var uniqueFor: Duration

        /// Creates settings: a 30 s lease, a minute of grace, 1000 catch-ups a look, keys held for a week.
        public init(leaseTTL: Duration = .seconds(30), grace: Duration = .seconds(60), maxCatchUp: Int = 1000,
                    uniqueFor: Duration = .seconds(7 * 86_400)) {
            self.leaseTTL = leaseTTL
            self.grace = grace
            self.maxCatchUp = maxCatchUp
            self.uniqueFor = uniqueFor
        }
    }

    /// The name of the lease the firing process holds, unless the scheduler is given a `Leadership`.
    public static let leaseName = "scheduler"

    /// The job manager jobs are created with.
    public let manager: JobManager
    /// The schedules, in the order given.
    public let schedules: [ScheduleDefinition]
    /// The settings.
    public let options: Options
    /// This process's bid for the lease.
    public let leadership: Leadership
    let clock: any QuaeroClock
    let logger: Logger

    /// Creates a scheduler of `schedules` over `manager`'s queue.
    ///
    /// - Parameter leadership: the lease whose holder fires (the app passes its `LeaderElection`'s, so that the
    ///   leader fires); nil for a lease of its own, `leaseName`, with `options.leaseTTL`.
    /// - Throws: `invalidArgument` for two schedules with one name.
    public init(manager: JobManager, schedules: [ScheduleDefinition], options: Options = Options(), leadership: Leadership? = nil,
                clock: (any QuaeroClock)? = nil, logger: Logger = Logger(label: "quaero.schedules")) throws {
        var seen: Set<String> = []
        for schedule in schedules where !seen.insert(schedule.name).inserted {
            throw QuaeroError(.invalidArgument, "two schedules are named \(schedule.name); give each its own name")
        }
        self.manager = manager
        self.schedules = schedules
        self.options = options
        self.leadership = leadership ?? Leadership(store: manager.store, name: Self.leaseName, ttl: options.leaseTTL)
        self.clock = clock ?? manager.queue.clock
        self.logger = logger
    }

    // MARK: Running

    /// Takes (or renews) the lease every third of its TTL and, while it holds it, fires what is due, until
    /// graceful shutdown or cancellation; then gives the lease up. A standby tries again when the lease lapses.
    public func run() async throws {
        guard !schedules.isEmpty else { return }
        await cancelWhenGracefulShutdown { await self.loop() }
        try? await leadership.release()
    }

    private func loop() async {
        while !Task.isCancelled {
            var wake = clock.nowMillis() + leadership.renewInterval.milliseconds
            do {
                if try await leadership.acquire() {
                    if let next = try await fireDue() { wake = min(wake, next) }
                    try await pruneLimitKeys()
                } else if let retry = try await leadership.retryTime(now: clock.nowMillis()) {
                    wake = min(wake, retry)
                }
            } catch is CancellationError {
                return
            } catch {
                // A busy database, say: the next look tries again; a standby takes over if this one dies.
                logger.warning("could not fire the schedules", metadata: ["error": "\(error)"])
            }
            do { try await clock.sleep(until: wake) } catch { return }
        }
    }

    /// Forgets the rate state of the limit keys that are idle (their next start has passed), so that the
    /// store keeps a row only for keys that start now, such as the hosts of running crawls; the leader does it
    /// at each look. Returns how many it forgot.
    @discardableResult
    public func pruneLimitKeys() async throws -> Int {
        let now = clock.nowMillis()
        return try await manager.store.write { tx in try await tx.pruneLimitKeys(before: now) }
    }

    /// Fires what is due now of every schedule (whoever holds the lease; `run` calls it while it does).
    /// Returns the earliest next fire time of the active schedules.
    @discardableResult
    public func fireDue() async throws -> Int64? {
        let now = clock.nowMillis()
        var earliest: Int64?
        for schedule in schedules {
            guard let next = try await fire(schedule, now: now) else { continue }
            earliest = min(earliest ?? next, next)
        }
        return earliest
    }

    /// Handles the fire times of `schedule` up to `now` in one transaction: moves its watermark past them
    /// (nothing when another process just did) and creates the jobs its catch-up policy picks. Returns when
    /// to look again for it.
    private func fire(_ schedule: ScheduleDefinition, now: Int64) async throws -> Int64? {
        let (options, engine, name) = (options, manager.engine, schedule.name)
        let (last, count) = try await manager.write { tx -> ((Int64?, Int), [JobEvent]) in
            let state = try await tx.ensureSchedule(name)
            let limit = schedule.catchUp == .all ? options.maxCatchUp : 100_000
            let due = schedule.cron.fires(after: state.watermark, through: now, in: schedule.timeZone, limit: limit)
            guard let last = due.last, try await tx.advanceSchedule(name, from: state.watermark, to: last) else {
                return ((state.watermark, 0), [])
            }
            guard schedule.enabled, !state.paused else { return ((last, 0), []) }
            var events: [JobEvent] = []
            var fired = 0
            for fire in schedule.toFire(due, now: now, grace: options.grace) {
                let (job, more) = try await engine.create(self.spec(schedule, fire: fire), in: tx)
                try await tx.recordScheduleFire(name, jobID: job.id)
                events += more
                fired += 1
            }
            // A capped catch-up leaves more due: look again at once.
            return ((due.count == limit ? nil : last, fired), events)
        }
        if count > 0 { logger.info("schedule fired", metadata: ["schedule": "\(name)", "jobs": "\(count)"]) }
        guard let last else { return now }
        return schedule.cron.nextFire(after: max(last, now), in: schedule.timeZone)
    }

    /// The job of `schedule` for fire time `fire`.
    private func spec(_ schedule: ScheduleDefinition, fire: Int64) -> JobSpec {
        JobSpec(type: schedule.type, config: schedule.config,
                fields: ["schedule": .string(schedule.name), "scheduled_at": .string(RFC3339.string(millis: fire))],
                unique: UniqueJob(key: schedule.jobKey(fire: fire), for: options.uniqueFor, statuses: Set(JobStatus.allCases)))
    }

    // MARK: Commands

    /// Every schedule with its state, next and last fire and last job, in the order given.
    public func list() async throws -> [ScheduleStatus] {
        let now = clock.nowMillis()
        return try await manager.store.read { [schedules] reader in
            let states = Dictionary(uniqueKeysWithValues: try await reader.schedules().map { ($0.name, $0) })
            var list: [ScheduleStatus] = []
            for schedule in schedules {
                let state = states[schedule.name]
                let paused = state?.paused ?? false
                let next = !schedule.enabled || paused ? nil
                    : schedule.cron.nextFire(after: max(now, state?.watermark ?? now), in: schedule.timeZone)
                let lastStatus = try await state?.lastJobID.asyncMap { try await reader.job($0)?.status } ?? nil
                list.append(ScheduleStatus(definition: schedule, paused: paused, nextFireAt: next, lastFireAt: state?.lastFireAt,
                                           lastJobID: state?.lastJobID, lastJobStatus: lastStatus))
            }
            return list
        }
    }

    /// Schedule `name` as `list` shows it.
    ///
    /// - Throws: `notFound` for an unknown schedule.
    public func status(_ name: String) async throws -> ScheduleStatus {
        _ = try definition(name)
        return try await list().first { $0.definition.name == name }!
    }

    /// Fires schedule `name` now, whatever its cron and state, and returns the job (its fire times stay as
    /// they were).
    ///
    /// - Throws: `notFound` for an unknown schedule.
    @discardableResult
    public func runNow(_ name: String) async throws -> Job {
        let schedule = try definition(name)
        let now = clock.nowMillis()
        return try await manager.write { tx in
            _ = try await tx.ensureSchedule(name)
            var spec = JobSpec(type: schedule.type, config: schedule.config, fields: ["schedule": .string(name)])
            spec.fields["scheduled_at"] = .string(RFC3339.string(millis: now))
            let (job, events) = try await self.manager.engine.create(spec, in: tx)
            try await tx.recordScheduleFire(name, jobID: job.id)
            return (job, events)
        }
    }

    /// Pauses (true) or resumes (false) schedule `name` in every process; returns whether that changed it.
    /// While paused, its fire times pass without a job (none are caught up on resume).
    ///
    /// - Throws: `notFound` for an unknown schedule.
    @discardableResult
    public func setPaused(_ name: String, _ paused: Bool) async throws -> Bool {
        _ = try definition(name)
        return try await manager.store.write { tx in try await tx.setSchedulePaused(name, paused: paused) }
    }

    /// The schedule named `name`.
    ///
    /// - Throws: `notFound` naming the schedules there are.
    public func definition(_ name: String) throws -> ScheduleDefinition {
        guard let schedule = schedules.first(where: { $0.name == name }) else {
            let known = schedules.isEmpty ? "none is configured" : "the schedules are " + schedules.map(\.name).joined(separator: ", ")
            throw QuaeroError(.notFound, "there is no schedule named \"\(name)\"; \(known)")
        }
        return schedule
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
