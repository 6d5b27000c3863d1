import ArgumentParser

/// `quaero queue ...`: inspect and repair the job queue.
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "Inspect the job queue and its dead letters; pause and resume it.",
        subcommands: [QueueStatsCommand.self, QueueDeadCommand.self, QueueRequeueCommand.self, QueuePurgeCommand.self,
                      QueuePauseCommand.self, QueueResumeCommand.self])
}
