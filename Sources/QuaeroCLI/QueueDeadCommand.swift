import ArgumentParser
import Quaero
import QuaeroQueue

/// `quaero queue dead`: lists dead letters, oldest first.
struct QueueDeadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead", abstract: "List dead letters, oldest first.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON: an array of {id, type, body, received, error, dead_at}.")
    var json = false

    @Option(parsing: .unconditional, help: "List at most this many.")
    var limit = 100

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1, got \(limit)") }
    }

    func run() async throws {
        let letters = try await global.withQueueManager { try await $0.queue.deadLetters(limit: limit) }.map(DeadLetterJSON.init)
        if json {
            // Foundation pretty-prints an empty array over two lines.
            if letters.isEmpty { print("[]") } else { try printJSON(letters) }
            return
        }
        if letters.isEmpty { print("no dead letters") }
        for letter in letters {
            print(String(decoding: try APIJSON.encode(letter, pretty: false), as: UTF8.self))
        }
    }
}
