import ArgumentParser
import Quaero
import QuaeroQueue

/// `quaero jobs`: job records.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "List, show, follow, cancel, rerun and delete jobs.",
        subcommands: [JobsListCommand.self, JobsShowCommand.self, JobsLogsCommand.self, JobsCancelCommand.self,
                      JobsRerunCommand.self, JobsDeleteCommand.self])
}

/// `quaero jobs list`: newest first.
struct JobsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List jobs, newest first.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only jobs with this status (pending, running, completed, failed, cancelled).")
    var status: String?
    @Option(help: "Only jobs of this type: crawler (a crawl), crawler_url (its pages), summarizer, cleanup, or another.")
    var type: String?
    @Option(help: "Only children of this job.")
    var parent: String?
    @Option(parsing: .unconditional, help: "At most this many.")
    var limit = 50
    @Option(parsing: .unconditional, help: "Skip this many.")
    var offset = 0
    @Flag(help: "Print JSON: an array of jobs.")
    var json = false

    func run() async throws {
        let filter = JobFilter(status: try status.map(JobStatus.parse), type: type.map(JobType.init(userName:)), parentID: parent,
                               limit: limit, offset: offset)
        let jobs = try await global.withRuntime { try await $0.jobManager.listJobs(filter) }
        if json { return try printJSONArray(jobs) }
        if jobs.isEmpty { return print("no jobs") }
        for line in JobText.table(jobs) { print(line) }
    }
}

/// `quaero jobs show ID`.
struct JobsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a job with its children.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The job id.")
    var id: String
    @Flag(help: "Print JSON: the job with \"children\".")
    var json = false

    func run() async throws {
        let job = try await global.withRuntime { try await $0.jobManager.getJobWithChildren(id) }
        if json { return try printJSON(job) }
        print(JobText.details(job.job))
        if !job.children.isEmpty {
            print("children (\(job.children.count)):")
            for line in JobText.table(job.children) { print("  " + line) }
        }
    }
}

/// `quaero jobs cancel ID`.
struct JobsCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a job and its unfinished children (queued work is removed, running work stops).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The job id.")
    var id: String

    func run() async throws {
        let cancelled = try await global.withRuntime { try await $0.jobManager.cancel(id) }
        print("cancelled \(cancelled.count) job\(cancelled.count == 1 ? "" : "s"): \(cancelled.joined(separator: " "))")
    }
}

/// `quaero jobs rerun ID`.
struct JobsRerunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rerun", abstract: "Run a job again: a new job with the same config; prints its id.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The job id.")
    var id: String
    @Flag(help: "Print JSON: the new job.")
    var json = false

    func run() async throws {
        let job = try await global.withRuntime { try await $0.jobManager.copyJob(id) }
        if json { return try printJSON(job) }
        print(job.id)
    }
}

/// `quaero jobs delete ID`.
struct JobsDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a job with its children, messages and logs.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The job id.")
    var id: String

    func run() async throws {
        try await global.withRuntime { try await $0.jobManager.deleteJob(id) }
        print("deleted \(id)")
    }
}
