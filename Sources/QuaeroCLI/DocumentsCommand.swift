import ArgumentParser
import Quaero
import QuaeroQueue

/// `quaero documents`: the stored pages.
struct DocumentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "documents", abstract: "Search stored documents.", subcommands: [DocumentsSearchCommand.self])
}

/// `quaero documents search QUERY`.
struct DocumentsSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Full-text search of titles and texts (SQLite FTS5 syntax), best first.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The query, e.g. 'queue AND sqlite' or '\"exact phrase\"'.")
    var query: String
    @Option(help: "Only documents of this crawl job.")
    var job: String?
    @Option(parsing: .unconditional, help: "At most this many hits.")
    var limit = 20
    @Flag(help: "Print JSON: an array of hits.")
    var json = false

    func run() async throws {
        let hits = try await global.withQueueManager { manager in
            try await DocumentStore(store: manager.queue.store).search(query, jobID: job, limit: limit)
        }
        if json { return try printJSONArray(hits.map(DocumentSearchHitJSON.init)) }
        if hits.isEmpty { print("no documents match") }
        for hit in hits { print("\(hit.id)  \(hit.title)\n    \(hit.url)\n    \(hit.snippet)") }
    }
}
