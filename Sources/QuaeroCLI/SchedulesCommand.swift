import ArgumentParser
import Quaero
import QuaeroQueue

/// `quaero schedules`: the cron schedules of the configuration (`[[schedule]]`, and the cleanup).
struct SchedulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules", abstract: "List, run, pause and resume the cron schedules.",
        discussion: """
            Schedules are defined by [[schedule]] in the configuration, and the cleanup by [cleanup] interval; \
            the workers of `quaero serve` and `quaero worker` fire them, one job per fire time whatever the \
            number of processes. Pauses are kept in the database and hold in every process.
            """,
        subcommands: [SchedulesListCommand.self, SchedulesRunCommand.self, SchedulesPauseCommand.self, SchedulesResumeCommand.self])
}

/// `quaero schedules list`.
struct SchedulesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the schedules with their next and last fire and last job.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON: an array of schedules.")
    var json = false

    func run() async throws {
        let schedules = try await global.withRuntime { try await $0.scheduler.list() }
        if json { return try printJSONArray(schedules.map(ScheduleJSON.init)) }
        for status in schedules {
            let definition = status.definition
            let state = !definition.enabled ? "disabled" : status.paused ? "paused" : "active"
            var line = "\(definition.name)  \(definition.cron)  \(definition.type.userName)  \(definition.timeZoneName)  \(state)"
            line += "  next: " + (status.nextFireAt.map(APIJSON.timestamp) ?? "-")
            line += "  last: " + (status.lastFireAt.map(APIJSON.timestamp) ?? "-")
            if let job = status.lastJobID { line += "  job \(job) (\(status.lastJobStatus?.rawValue ?? "deleted"))" }
            print(line)
        }
    }
}

/// `quaero schedules run NAME`.
struct SchedulesRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Fire a schedule now: create its job (its fire times stay as they were).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The schedule's name, as listed by `quaero schedules list`.")
    var name: String

    func run() async throws {
        let job = try await global.withRuntime { try await $0.scheduler.runNow(name) }
        print("schedule \(name) created job \(job.id) (\(job.type.userName))")
    }
}

/// `quaero schedules pause NAME`.
struct SchedulesPauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Pause a schedule in every process: its fire times pass without a job.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The schedule's name.")
    var name: String

    func run() async throws {
        let changed = try await global.withRuntime { try await $0.scheduler.setPaused(name, true) }
        print(changed ? "paused schedule \(name)" : "schedule \(name) was already paused")
    }
}

/// `quaero schedules resume NAME`.
struct SchedulesResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Resume a schedule: it fires from its next fire time (none is caught up).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The schedule's name.")
    var name: String

    func run() async throws {
        let changed = try await global.withRuntime { try await $0.scheduler.setPaused(name, false) }
        print(changed ? "resumed schedule \(name)" : "schedule \(name) was not paused")
    }
}
