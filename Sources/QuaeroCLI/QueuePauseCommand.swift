import ArgumentParser
import Quaero
import QuaeroQueue

/// `quaero queue pause [--type T]`: no more claims of the queue (or of one job type in it), in every process.
struct QueuePauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Pause the queue (or one job type in it) in every process; what runs finishes.",
        discussion: """
            Workers in every process stop claiming within one poll interval; running jobs finish; new jobs \
            and messages are still accepted. `quaero queue stats` shows what is paused.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only jobs of this type (crawler, crawler_url, summarizer, cleanup, or another).")
    var type: String?

    func run() async throws {
        let changed = try await global.withQueueManager { try await $0.queue.pause(type: type.map { JobType(userName: $0).rawValue }) }
        print(pauseText(type: type, changed: changed, paused: true))
    }
}

/// `quaero queue resume [--type T]`: claims go on.
struct QueueResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Resume the queue (or one job type in it) in every process.",
        discussion: "A type paused on its own stays paused when the whole queue resumes: resume it with --type.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only jobs of this type.")
    var type: String?

    func run() async throws {
        let changed = try await global.withQueueManager { try await $0.queue.resume(type: type.map { JobType(userName: $0).rawValue }) }
        print(pauseText(type: type, changed: changed, paused: false))
    }
}

/// `paused the queue`, `type crawler was already paused`, ...
private func pauseText(type: String?, changed: Bool, paused: Bool) -> String {
    let what = type.map { "type \($0)" } ?? "the queue"
    let state = paused ? "paused" : "resumed"
    return changed ? "\(state) \(what)" : "\(what) was already \(paused ? "paused" : "running")"
}
