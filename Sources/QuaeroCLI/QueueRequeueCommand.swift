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
        // Through the job manager: a dead letter's failed job runs again.
        let requeued = try await global.withRuntime { try await $0.jobManager.requeueDeadLetters(id.map { [$0] }) }
        if let id {
            guard !requeued.isEmpty else {
                throw QuaeroError(.notFound, "message \(id) is not a dead letter; list them with `quaero queue dead`")
            }
            print("requeued message \(id)")
        } else {
            print("requeued \(requeued.count) dead letter\(requeued.count == 1 ? "" : "s")")
        }
    }
}
