import ArgumentParser
import Quaero

/// The `quaero` command: argument parsing only; the work is done by the Quaero library.
struct QuaeroCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quaero",
        abstract: "A persistent job queue and job runner on SQLite.",
        discussion: """
            Configuration: defaults < quaero.toml (or --config PATH) < QUAERO_<SECTION>_<KEY> environment \
            variables < flags. `quaero config` shows every key, its value and its source.
            Exit codes: 0 ok, 1 failure, 2 usage or configuration error.
            """,
        version: quaeroVersion,
        // Every subcommand, in the order `quaero --help` lists them: register new commands here.
        subcommands: [
            MigrateCommand.self,
            SendCommand.self,
            QueueCommand.self,
            ConfigCommand.self,
            ServeCommand.self,
            WorkerCommand.self,
            CrawlCommand.self,
            SummarizeCommand.self,
            CleanupCommand.self,
            JobsCommand.self,
            SchedulesCommand.self,
            DocumentsCommand.self,
            BenchCommand.self,
        ])

    /// Accepted before the subcommand too (`quaero --db x.db migrate`); each subcommand reads its own copy.
    @OptionGroup var global: GlobalOptions
}
