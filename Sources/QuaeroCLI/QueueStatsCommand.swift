import ArgumentParser
import Foundation
import Quaero
import QuaeroQueue

/// `quaero queue stats`: message counts by state, in total and per type.
struct QueueStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Count the queue's messages: ready, delayed, in flight, dead.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON: {queue, ready, delayed, in_flight, dead, oldest_ready_age_s, paused, by_type}.")
    var json = false

    func run() async throws {
        let stats = try await global.withQueueManager { try await $0.stats() }
        if json {
            try printJSON(QueueStatsJSON(stats))
            return
        }
        print("queue \(stats.queue)")
        print(Self.row("type", "ready", "delayed", "in_flight", "dead"))
        for (type, counts) in stats.byType.sorted(by: { $0.key < $1.key }) {
            print(Self.row(type.isEmpty ? "(none)" : type, counts))
        }
        print(Self.row("total", stats.totals))
        if let age = stats.oldestReadyAgeSeconds {
            print("oldest ready message waited \(age)s")
        }
        if stats.paused.queue { print("paused: the whole queue (quaero queue resume)") }
        for type in stats.paused.types.sorted() {
            print("paused: type \(JobType(type).userName) (quaero queue resume --type \(JobType(type).userName))")
        }
    }

    private static func row(_ label: String, _ counts: QueueStats.Counts) -> String {
        row(label, "\(counts.ready)", "\(counts.delayed)", "\(counts.inFlight)", "\(counts.dead)")
    }

    private static func row(_ cells: String...) -> String {
        cells.enumerated().map { index, cell in
            index == 0 ? cell.padding(toLength: 16, withPad: " ", startingAt: 0)
                : String(repeating: " ", count: max(0, 10 - cell.count)) + cell
        }.joined()
    }
}
