import Foundation
@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

/// Cron schedules over the store: one job per fire time, catch-up, pause, run now (DESIGN §8).
@Suite("Flow control: schedules", .timeLimit(.minutes(1)))
struct SchedulerTests {
    /// 2026-01-01T00:00:30Z: half a minute past an hour, so that every schedule's first fire is ahead.
    static let start: Int64 = 1_767_225_630_000

    private func scheduler(_ store: any QuaeroStore, _ clock: ManualClock, _ schedules: [ScheduleDefinition],
                           options: Scheduler.Options = Scheduler.Options()) throws -> Scheduler {
        try Scheduler(manager: JobManager(queue: Queue(name: "jobs", store: store)), schedules: schedules, options: options, clock: clock)
    }

    private func schedule(_ name: String, _ cron: String, catchUp: CatchUp = .latest, enabled: Bool = true) throws -> ScheduleDefinition {
        try ScheduleDefinition(name: name, cron: CronSchedule(cron), type: "report", config: ["name": .string(name)],
                               catchUp: catchUp, enabled: enabled)
    }

    /// A job a schedule created: the schedule and the fire time.
    private struct Fired {
        let schedule: String
        let at: String
    }

    /// The jobs of `store` (oldest first) with the fire time each was created for.
    private func fired(_ store: any QuaeroStore) async throws -> [Fired] {
        try await store.read { try await $0.jobs(JobFilter(limit: 1000)) }.reversed().map { job in
            Fired(schedule: job.fields["schedule"]?.stringValue ?? "", at: job.fields["scheduled_at"]?.stringValue ?? "")
        }
    }

    @Test("a new schedule starts from now; each fire time creates one job, however many schedulers look",
          arguments: StoreKind.available)
    func oncePerFireTime(_ kind: StoreKind) async throws {
        let clock = ManualClock(start: Self.start)
        try await withStore(kind, clock: clock) { store in
            let schedules = [try schedule("minutely", "* * * * *")]
            let first = try scheduler(store, clock, schedules)
            let second = try scheduler(store, clock, schedules)
            #expect(try await first.fireDue() == Self.start + 30_000)
            #expect(try await fired(store).isEmpty, "nothing before the schedule was first seen")
            for _ in 0..<3 {
                clock.advance(by: .seconds(60))
                try await first.fireDue()
                try await second.fireDue()
                try await first.fireDue()
            }
            #expect(try await fired(store).map(\.at)
                    == ["2026-01-01T00:01:00.000Z", "2026-01-01T00:02:00.000Z", "2026-01-01T00:03:00.000Z"])
            let job = try #require(try await store.read { try await $0.jobs(JobFilter(limit: 1)) }.first)
            #expect(job.type == "report")
            #expect(job.config == ["name": .string("minutely")])
        }
    }

    @Test("after 3 hours down, catch_up decides: latest fires the last missed time, all every one, none nothing",
          arguments: StoreKind.available)
    func catchUp(_ kind: StoreKind) async throws {
        let clock = ManualClock(start: Self.start)
        try await withStore(kind, clock: clock) { store in
            let schedules = try [schedule("latest", "0 * * * *", catchUp: .latest), schedule("all", "0 * * * *", catchUp: .all),
                                 schedule("none", "0 * * * *", catchUp: .none)]
            try await scheduler(store, clock, schedules).fireDue()
            clock.advance(by: .seconds(3 * 3600 + 600))  // down from 00:00:30 to 03:10:30
            let restarted = try scheduler(store, clock, schedules)
            try await restarted.fireDue()
            let jobs = try await fired(store)
            #expect(jobs.filter { $0.schedule == "latest" }.map(\.at) == ["2026-01-01T03:00:00.000Z"])
            #expect(jobs.filter { $0.schedule == "all" }.map(\.at)
                    == ["2026-01-01T01:00:00.000Z", "2026-01-01T02:00:00.000Z", "2026-01-01T03:00:00.000Z"])
            #expect(jobs.filter { $0.schedule == "none" }.isEmpty)
            // Back on schedule, each fires its next time.
            clock.advance(by: .seconds(50 * 60))
            try await restarted.fireDue()
            let all = try await fired(store)
            let atFour = all.filter { $0.at == "2026-01-01T04:00:00.000Z" }.map { $0.schedule }
            #expect(atFour.sorted() == ["all", "latest", "none"])
        }
    }

    @Test("a time missed by less than the grace still fires with catch_up none", arguments: StoreKind.available)
    func grace(_ kind: StoreKind) async throws {
        let clock = ManualClock(start: Self.start)
        try await withStore(kind, clock: clock) { store in
            let scheduler = try scheduler(store, clock, [schedule("none", "* * * * *", catchUp: .none)],
                                          options: Scheduler.Options(grace: .seconds(10)))
            try await scheduler.fireDue()
            clock.advance(by: .seconds(35))  // 5 s late
            try await scheduler.fireDue()
            clock.advance(by: .seconds(120))  // at 00:03:05, 00:03 is 5 s late and 00:02 65 s late
            try await scheduler.fireDue()
            #expect(try await fired(store).map(\.at) == ["2026-01-01T00:01:00.000Z", "2026-01-01T00:03:00.000Z"])
        }
    }

    @Test("a paused schedule's times pass without a job and are not caught up; a disabled one never fires",
          arguments: StoreKind.available)
    func pauseAndDisable(_ kind: StoreKind) async throws {
        let clock = ManualClock(start: Self.start)
        try await withStore(kind, clock: clock) { store in
            let scheduler = try scheduler(store, clock, [schedule("p", "* * * * *", catchUp: .all),
                                                         schedule("off", "* * * * *", enabled: false)])
            #expect(try await scheduler.setPaused("p", true))
            #expect(try await !scheduler.setPaused("p", true))
            try await scheduler.fireDue()
            clock.advance(by: .seconds(150))
            try await scheduler.fireDue()
            #expect(try await fired(store).isEmpty)
            let listed = try await scheduler.list()
            #expect(listed.map(\.paused) == [true, false])
            #expect(listed.map(\.nextFireAt) == [nil, nil])
            #expect(try await scheduler.setPaused("p", false))
            try await scheduler.fireDue()
            #expect(try await fired(store).isEmpty, "nothing is caught up on resume")
            clock.advance(by: .seconds(60))
            try await scheduler.fireDue()
            #expect(try await fired(store).map(\.schedule) == ["p"])
        }
    }

    @Test("run fires now whatever the cron; list shows next and last fire and the last job", arguments: StoreKind.available)
    func runAndList(_ kind: StoreKind) async throws {
        let clock = ManualClock(start: Self.start)
        try await withStore(kind, clock: clock) { store in
            let scheduler = try scheduler(store, clock, [schedule("daily", "0 6 * * *")])
            let job = try await scheduler.runNow("daily")
            #expect(job.fields["schedule"] == .string("daily"))
            let status = try #require(try await scheduler.list().first)
            #expect(status.definition.name == "daily")
            #expect(status.lastJobID == job.id)
            #expect(status.lastJobStatus == .pending)
            #expect(status.lastFireAt == Self.start)
            #expect(status.nextFireAt == 1_767_247_200_000)  // 2026-01-01T06:00:00Z
            for attempt in 0..<2 {
                let error = await #expect(throws: QuaeroError.self) {
                    if attempt == 0 { try await scheduler.runNow("nightly") } else { try await scheduler.setPaused("nightly", true) }
                }
                #expect(error?.code == .notFound)
                #expect(error?.message.contains("the schedules are daily") == true)
            }
        }
    }

    @Test("bad schedules are refused: names, duplicates, time zones")
    func badSchedules() throws {
        for name in ["", "has space", "slash/y", String(repeating: "n", count: 101)] {
            #expect(throws: QuaeroError.self) { try ScheduleDefinition(name: name, cron: CronSchedule("@daily"), type: "x") }
        }
        #expect(throws: QuaeroError.self) { try ScheduleDefinition.timeZone("Mars/Olympus") }
        #expect(try ScheduleDefinition.timeZone("Europe/Paris").identifier == "Europe/Paris")
    }

    @Test("two schedulers running as services: one leads and fires, the other stands by", arguments: StoreKind.available)
    func leadership(_ kind: StoreKind) async throws {
        let clock = ManualClock(start: Self.start)
        try await withStore(kind, clock: clock) { store in
            let schedules = [try schedule("minutely", "* * * * *")]
            let a = try scheduler(store, clock, schedules)
            let b = try scheduler(store, clock, schedules)
            let runs = [Task { try await a.run() }, Task { try await b.run() }]
            // The leader has seen the schedule (it starts from the time it first sees it) before time moves.
            #expect(await waitUntil { (try? await store.read { try await $0.schedules() })?.isEmpty == false })
            let leader = try #require(try await store.read { try await $0.leaderLease(Scheduler.leaseName) }?.holder)
            #expect([a.leadership.holder, b.leadership.holder].contains(leader))
            for minute in 1...3 {
                clock.advance(by: .seconds(60))
                #expect(await waitUntil { (try? await fired(store).count) == minute })
            }
            for run in runs { run.cancel() }
            for run in runs { try await run.value }
            #expect(try await fired(store).count == 3)
            #expect(try await store.read { try await $0.leaderLease(Scheduler.leaseName) } == nil, "the leader gave it up")
        }
    }

    @Test("3 processes firing at once over 100 fire times create exactly 100 jobs", arguments: StoreKind.shared)
    func threeProcesses(_ kind: StoreKind) async throws {
        let clock = ManualClock(start: Self.start)
        try await withStore(kind, clock: clock) { store in
            try await withAnotherHandle(on: store, kind: kind, clock: clock) { second in
                try await withAnotherHandle(on: store, kind: kind, clock: clock) { third in
                    let schedules = [try schedule("minutely", "* * * * *", catchUp: .all)]
                    let schedulers = try [store, second, third].map { try scheduler($0, clock, schedules) }
                    try await schedulers[0].fireDue()
                    for _ in 0..<100 {
                        clock.advance(by: .seconds(60))
                        // Each process believes it leads: the store still lets one job through per fire time.
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for scheduler in schedulers { group.addTask { try await scheduler.fireDue() } }
                            try await group.waitForAll()
                        }
                    }
                    let fired = try await fired(store)
                    #expect(fired.count == 100)
                    #expect(Set(fired.map(\.at)).count == 100)
                }
            }
        }
    }
}
