import ArgumentParser
import Logging
import Quaero
import QuaeroQueue

/// `quaero worker`: runs the worker pool (and the job log) until SIGINT or SIGTERM.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run workers until SIGINT or SIGTERM, then stop gracefully.",
        discussion: """
            Running jobs get [queue] shutdown_timeout to finish; what still runs is released so that the next
            start picks it up at once. Work of a worker killed with kill -9 resumes within about three
            heartbeat intervals of another worker starting.
            """)

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let config = try global.resolve().config
        var logger = Logger(label: "quaero")
        logger.logLevel = .info
        try await QuaeroRuntime.with(config, logger: logger, waitForDatabase: true) { runtime in
            logger.info("quaero worker on \(config.database.shownPath), queue \(config.queue.queueName), concurrency \(config.queue.concurrency)")
            try await runtime.run(logger: logger)
        }
    }
}
