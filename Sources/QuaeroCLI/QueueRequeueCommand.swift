import ArgumentParser
import Quaero
import QuaeroQueue

/// `quaero queue requeue ID|--all`: puts dead letters back with a fresh receive count.
struct QueueRequeueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requeue", abstract: "Put a dead letter (or all of them) back in the queue.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The message id of the dead letter, as listed by `quaero queue dead`.")
    var id: Int64?

    @Flag(help: "Requeue every dead letter.")
    var all = false

    func validate() throws {
        guard (id != nil) != all else { throw ValidationError("give either a message ID or --all") }
    }

    func run() async throws {
        if let id {
            try await global.withQueueManager { try await $0.queue.requeue(id) }
            print("requeued message \(id)")
        } else {
            let count = try await global.withQueueManager { try await $0.queue.requeueAllDeadLetters() }
            print("requeued \(count) dead letter\(count == 1 ? "" : "s")")
        }
    }
}
