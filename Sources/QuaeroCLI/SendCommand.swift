import ArgumentParser
import Foundation
import Quaero
import QuaeroQueue

/// `quaero send TYPE JSON|@FILE|-`: creates one job and prints the job's id.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send", abstract: "Create a job from a message body; prints the job's id.",
        discussion: """
            The body is a JSON object in the shape of the type's messages; a job's settings may be written \
            inside "config" or at the top level. quaero's own types are checked before anything is stored:
              quaero send crawler '{"urls": ["https://example.com"], "max_depth": 1}'
              quaero send crawler_url '{"parent_id": "CRAWL_ID", "url": "https://example.com/a", "depth": 1}'
              quaero send summarizer '{"job_id": "CRAWL_ID"}'
              quaero send cleanup '{"older_than": "7d", "status_filter": ["completed"]}'
            Another type is stored for a worker of another program that serves it (`quaero worker` \
            dead-letters it). A large body is read from a file (@body.json) or from standard input (-).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The job type: crawler, crawler_url, summarizer, cleanup, or another program's type.", valueName: "type"))
    var type: String

    @Argument(help: ArgumentHelp("The message body: a JSON object, @FILE to read it from a file, or - to read it from standard input.",
                                 valueName: "body"))
    var body: String

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Wait this long before the job's first run (0s or more, e.g. 5s, 1m30s).", valueName: "duration"),
            transform: parseDuration)
    var delay: Duration?

    @Option(parsing: .unconditional, help: "Higher runs first.")
    var priority: Int = 0

    @Option(help: "A dedup key: while a job with this key is queued, sending it again prints that job's id.")
    var key: String?

    func run() async throws {
        // Read and parsed before the database is opened, so a body that is not JSON changes nothing.
        let data = try readBody()
        _ = try SendRequest(type: type, json: data)
        let (id, known) = try await global.withRuntime { runtime in
            var send = try await JobSend(type: type, body: data, manager: runtime.jobManager, crawler: runtime.config.crawler)
            send.spec.delay = delay ?? .zero
            send.spec.priority = priority
            send.spec.key = key ?? send.spec.key
            return (try await runtime.jobManager.createJob(send.spec).id, send.isKnownType)
        }
        print(id)
        if !known {
            printNote("quaero runs no job of type \"\(type)\" (its types are \(JobSend.knownTypes.joined(separator: ", "))); "
                + "the job waits for a worker of another program that serves it, and `quaero worker` would dead-letter it")
        }
    }

    /// The body: the argument itself, a file's content (`@path`) or standard input (`-`).
    private func readBody() throws -> Data {
        if body == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard body.hasPrefix("@") else { return Data(body.utf8) }
        let path = String(body.dropFirst())
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CLIUsageError("cannot read the message body from \(path) (given as \(body)): \((error as NSError).localizedDescription)")
        }
    }
}
