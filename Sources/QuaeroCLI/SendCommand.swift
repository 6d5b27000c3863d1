import ArgumentParser
import Foundation
import Quaero
import QuaeroQueue

/// `quaero send TYPE JSON`: puts one job message on the queue and prints its message id.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send", abstract: "Send a job message; prints its message id.",
        discussion: "JSON is an object whose members become the message's fields, e.g. quaero send crawler_url '{\"url\": \"https://example.com\", \"depth\": 0}'.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The message type, e.g. crawler_url.")
    var type: String

    @Argument(help: "The message fields as a JSON object.")
    var json: String

    @Option(help: ArgumentHelp("Hide the message this long before its first delivery (e.g. 5s, 1m30s).", valueName: "duration"), transform: parseDuration)
    var delay: Duration?

    @Option(help: "Higher is delivered first.")
    var priority: Int = 0

    @Option(help: "A dedup key: while a message with this key is queued, sending it again returns the first id.")
    var key: String?

    func run() async throws {
        // The body is checked before the database is opened, so a bad one changes nothing.
        let request = try SendRequest(type: type, json: Data(json.utf8))
        let id = try await global.withQueueManager { manager in
            try await manager.enqueue(request.message, delay: delay ?? .zero, priority: priority, key: key)
        }
        print(id)
    }
}
