import ArgumentParser
import Foundation
import Quaero
import QuaeroQueue

/// `quaero crawl URL...`: starts a crawl; with `--wait`, runs it here and shows its progress.
struct CrawlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crawl", abstract: "Crawl from the given URLs; prints the crawl job's id.",
        discussion: "Defaults come from [crawler] in the configuration. Without --wait the crawl is queued for `quaero worker`.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Seed URLs (http or https).")
    var urls: [String]
    @Option(parsing: .unconditional, help: "Follow links this many levels from the seeds (seeds are depth 0; 0 to 1000).")
    var depth: Int?
    @Option(parsing: .unconditional, help: "Store at most this many pages (1 or more).")
    var maxPages: Int?
    @Option(help: ArgumentHelp("Only follow URLs matching this regular expression (repeatable).", valueName: "regex"))
    var include: [String] = []
    @Option(help: ArgumentHelp("Never follow URLs matching this regular expression (repeatable).", valueName: "regex"))
    var exclude: [String] = []
    @Flag(help: "Run the crawl in this process and show a live progress line until it ends.")
    var wait = false

    func validate() throws {
        let range = CrawlerSettings.maxDepthRange
        if let depth, !range.contains(depth) {
            throw ValidationError("--depth must be from \(range.lowerBound) to \(range.upperBound) (as crawler.max_depth), not \(depth)")
        }
        if let maxPages, maxPages < 1 { throw ValidationError("--max-pages must be 1 or more, not \(maxPages)") }
    }

    func run() async throws {
        let config = try global.resolve().config
        var settings = config.crawler
        if let depth { settings.maxDepth = depth }
        if let maxPages { settings.maxPages = maxPages }
        let crawl = CrawlConfig(urls: urls, include: include, exclude: exclude, settings: settings)
        try await QuaeroRuntime.with(config, logger: cliLogger) { runtime in
            let job = try await CrawlerJobs.submit(crawl, manager: runtime.jobManager)
            guard wait else {
                print(job.id)
                return
            }
            print("crawl \(job.id)")
            let started = ContinuousClock.now
            let printer = ProgressPrinter()
            let ended = try await runtime.runUntilEnded(job.id) { job in
                printer.show(CrawlProgress(crawl: job, elapsed: ContinuousClock.now - started).line)
            }
            printer.finish()
            let documents = try await runtime.documents.count(ofJob: job.id)
            print(CrawlProgress.summary(crawl: ended, elapsed: ContinuousClock.now - started, documents: documents))
            let failedPages = try await runtime.jobManager.listJobs(
                JobFilter(status: .failed, parentID: job.id, limit: CrawlProgress.failuresShown)).reversed()
            for line in CrawlProgress.failures(of: ended, pages: Array(failedPages), failed: ended.progress.failed) { print(line) }
            if ended.status != .completed { throw ExitCode.failure }
        }
    }
}

/// `quaero summarize`: summarizes documents (or a crawl's unsummarized ones).
struct SummarizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summarize", abstract: "Summarize documents; prints the summarizer job's id.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("job"), help: "Summarize every document of this crawl that has no summary yet.")
    var jobID: String?
    @Option(name: .customLong("document"), help: "Summarize this document (repeatable).")
    var documentIDs: [Int64] = []
    @Flag(help: "Run the job in this process and wait for it to end.")
    var wait = false

    func validate() throws {
        guard (jobID == nil) != documentIDs.isEmpty else {
            throw ValidationError("give either --job ID or one or more --document ID")
        }
    }

    func run() async throws {
        let request = SummarizeRequest(target: jobID.map { .crawl(jobID: $0) } ?? .documents(documentIDs))
        try await runJob(global: global, spec: JobSpec(type: .summarizer, config: request.json.objectValue ?? [:]), wait: wait)
    }
}

/// `quaero cleanup`: deletes old ended jobs and old dead letters.
struct CleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup", abstract: "Delete ended jobs (with children, messages and logs) and dead letters older than a given age.",
        discussion: "A job that ended less than --older-than ago is never deleted. Deleting whatever the age needs --all-ages.")

    @OptionGroup var global: GlobalOptions
    @Option(parsing: .unconditional,
            help: ArgumentHelp("Only what ended longer ago than this (e.g. 90m, 12h, 30d; longer than 0s). Default: 30d.", valueName: "duration"),
            transform: parseDuration)
    var olderThan: Duration?
    @Flag(help: "Delete every ended job with the given status and every dead letter, however recent.")
    var allAges = false
    @Option(help: "Only jobs with this status (repeatable): completed, failed, cancelled. Default: all three.")
    var status: [String] = []
    @Flag(help: "Run the job in this process and wait for it to end.")
    var wait = false

    func validate() throws {
        if allAges, olderThan != nil { throw ValidationError("give --older-than or --all-ages, not both") }
        if let olderThan, olderThan <= .zero {
            throw ValidationError("--older-than must be longer than 0s: 0s would delete every ended job, however recent; "
                + "to delete whatever the age, pass --all-ages")
        }
    }

    func run() async throws {
        let age = DurationText.format(olderThan ?? .seconds(30 * 86_400))
        var config: [String: JSONValue] = allAges ? ["all_ages": .bool(true)]
            : ["older_than": .string(age), "dead_letter_older_than": .string(age)]
        if !status.isEmpty { config["status_filter"] = .array(status.map(JSONValue.string)) }
        try await runJob(global: global, spec: QuaeroJobs.cleanup(config), wait: wait)
    }
}

/// Creates a job; prints its id, or with `wait` runs it here and prints its outcome.
func runJob(global: GlobalOptions, spec: JobSpec, wait: Bool) async throws {
    try await global.withRuntime { runtime in
        let job = try await runtime.jobManager.createJob(spec)
        guard wait else {
            print(job.id)
            return
        }
        let ended = try await runtime.runUntilEnded(job.id) { _ in }
        print(JobText.details(ended))
        if ended.status != .completed { throw ExitCode.failure }
    }
}
