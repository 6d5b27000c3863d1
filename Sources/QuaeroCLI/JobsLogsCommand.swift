import ArgumentParser
import Foundation
import Quaero
import QuaeroQueue

/// `quaero jobs logs ID`: a job's log, oldest first; `--follow` keeps printing new lines.
struct JobsLogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a job's log (oldest first of the newest --limit lines).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The job id.")
    var id: String
    @Option(help: "Only lines at this level or above: debug, info, warning, error.")
    var level: String?
    @Option(parsing: .unconditional, help: "The newest this many lines.")
    var limit = 100
    @Flag(help: "Keep printing new lines until the job has ended (or Ctrl-C).")
    var follow = false
    @Flag(help: "Print JSON: an array of {id, job_id, timestamp, level, message} (one object a line with --follow).")
    var json = false

    func run() async throws {
        let minimum = try level.map { try LogLevel(parsing: $0) }
        try await global.withRuntime { runtime in
            _ = try await runtime.jobManager.getJob(id) // a clear error for an unknown job
            let store = runtime.logService.store
            let lines = try await store.entries(jobID: id, limit: limit, minimumLevel: minimum).reversed()
            if json && !follow {
                try printJSONArray(Array(lines))
                return
            }
            for line in lines { try printLine(line) }
            guard follow else { return }
            var last = lines.last
            while !Task.isCancelled {
                let new = try await store.entries(jobID: id, after: last, limit: 1000, minimumLevel: minimum)
                for line in new { try printLine(line) }
                last = new.last ?? last
                if new.isEmpty {
                    if try await runtime.jobManager.getJob(id).status.isTerminal {
                        // One last look: the worker flushes the final lines within a flush interval.
                        try await Task.sleep(for: runtime.config.logs.flushInterval + .milliseconds(200))
                        for line in try await store.entries(jobID: id, after: last, limit: 1000, minimumLevel: minimum) {
                            try printLine(line)
                        }
                        return
                    }
                    try await Task.sleep(for: .milliseconds(250))
                }
            }
        }
    }

    private func printLine(_ entry: JobLogEntry) throws {
        if json {
            print(String(decoding: try APIJSON.encode(entry, pretty: false), as: UTF8.self))
        } else {
            print("\(APIJSON.timestamp(milliseconds: entry.timestamp)) \(entry.level.rawValue.uppercased().padding(toLength: 7, withPad: " ", startingAt: 0)) \(entry.message)")
        }
    }
}
