import ArgumentParser
import Quaero

/// The `quaero` command: argument parsing only; the work is done by the Quaero library.
@main
struct QuaeroCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quaero",
        abstract: "A persistent job queue and job runner on SQLite.",
        version: quaeroVersion,
        subcommands: [BenchCommand.self])
}
