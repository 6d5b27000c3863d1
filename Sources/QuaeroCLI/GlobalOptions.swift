import ArgumentParser
import Foundation
import Logging
import Quaero
import QuaeroQueue

/// `--config` and `--db`, accepted by every command.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp("A TOML configuration file (it must exist); without it, ./quaero.toml is read if present.", valueName: "path"))
    var configPath: String?

    @Option(help: ArgumentHelp("The database file (overrides database.path); default ./quaero.db.", valueName: "path"))
    var db: String?

    /// Loads the configuration with these flags applied last.
    func resolve() throws -> ResolvedConfig {
        var flags: [ConfigRequest.Flag] = []
        if let db { flags.append(.init(ConfigKey(.database, "path"), db, name: "--db")) }
        return try QuaeroConfig.load(ConfigRequest(configPath: configPath, flags: flags))
    }

    /// Loads the configuration, opens the store, and runs `body` with the started queue manager.
    func withQueueManager<T: Sendable>(_ body: (QueueManager) async throws -> T) async throws -> T {
        try await withRuntime { try await body($0.queueManager) }
    }

    /// Loads the configuration, builds the runtime (nothing running yet), starts its managers, and runs
    /// `body` with it; closes everything afterwards.
    func withRuntime<T: Sendable>(_ body: (QuaeroRuntime) async throws -> T) async throws -> T {
        try await QuaeroRuntime.with(try resolve().config, logger: cliLogger, body)
    }
}

/// The logger of one-shot commands: warnings and errors only, so that output stays the command's own.
var cliLogger: Logger {
    var logger = Logger(label: "quaero")
    logger.logLevel = .warning
    return logger
}

/// Parses a duration argument such as `5s` or `7d`, with an error that shows the accepted forms.
func parseDuration(_ text: String) throws -> Duration {
    if text.trimmingCharacters(in: .whitespaces).hasPrefix("-") {
        throw ValidationError("'\(text)' is negative; only 0s or more is allowed (\(DurationText.allowed))")
    }
    guard let duration = DurationText.parse(text) else {
        throw ValidationError("'\(text)' is not a duration; write \(DurationText.allowed)")
    }
    return duration
}
