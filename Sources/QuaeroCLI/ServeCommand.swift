import ArgumentParser
import Logging
import Quaero
import QuaeroHTTP
import QuaeroQueue

/// `quaero serve`: the workers, the job log, the cleanup schedule and the HTTP API until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API and the workers until SIGINT or SIGTERM, then stop gracefully.",
        discussion: """
            Listens on [server] host and port (default 127.0.0.1:8080). When [server] api_token is set, every \
            route but /health needs Authorization: Bearer <token>. On SIGINT or SIGTERM the server stops \
            accepting requests first, then running jobs get [queue] shutdown_timeout to finish, then logs are flushed.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(parsing: .unconditional, help: "Listen on this port instead of [server] port (0 picks a free one; the log line names it).")
    var port: Int?

    func validate() throws {
        if let port, !(0...65_535).contains(port) {
            throw ValidationError("--port must be within 0...65535, not \(port)")
        }
    }

    func run() async throws {
        let resolved = try global.resolve()
        let config = resolved.config
        var logger = Logger(label: "quaero")
        logger.logLevel = .info
        try await QuaeroRuntime.with(config, logger: logger, waitForDatabase: true) { [logger, port] runtime in
            let application = APIRoutes.buildApplication(runtime: runtime, settings: resolved, port: port, logger: logger) { bound in
                logger.info("quaero serve listening on http://\(config.server.host):\(bound) (database \(config.database.shownPath), concurrency \(config.queue.concurrency)); dashboard at http://\(config.server.host):\(bound)/ui")
            }
            let server = APIServer(application, host: config.server.host, port: port ?? config.server.port)
            try await runtime.run(logger: logger, front: [server])
        }
    }
}
