import ArgumentParser
import Quaero
import QuaeroQueue

/// `quaero queue purge`: deletes dead letters, and with `--all-messages` every live message too.
struct QueuePurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge", abstract: "Delete dead letters (and with --all-messages, every queued message).")

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("older-than"), parsing: .unconditional,
            help: ArgumentHelp("Only dead letters that died at least this long ago (e.g. 7d).", valueName: "duration"), transform: parseDuration)
    var olderThan: Duration?

    @Flag(name: .customLong("all-messages"), help: "Also delete every live message: ready, delayed and in flight.")
    var allMessages = false

    func run() async throws {
        let (dead, live) = try await global.withQueueManager { manager in
            let dead = try await manager.queue.purgeDeadLetters(olderThan: olderThan ?? .zero)
            let live = allMessages ? try await manager.queue.purge() : 0
            return (dead, live)
        }
        print("purged \(dead) dead letter\(dead == 1 ? "" : "s")" + (allMessages ? " and \(live) live message\(live == 1 ? "" : "s")" : ""))
    }
}
