// A `quaero worker` process for the multi-node tests (Tests/QuaeroPostgresTests): the composition `quaero
// worker` runs (QuaeroRuntime from a configuration, its services until SIGTERM or SIGINT), plus two job types
// of the tests, whose handlers write a row of the test's table in the transaction that acks the job
// (`JobContext.onSuccess`): the row commits exactly when the job's success does.
//
//   node_row     writes the row "JOB_ID PID"
//   node_sleep   sleeps config.ms milliseconds (real time), then writes the row
//   node_noop    does nothing (the throughput of the job path itself)
//
// Usage: QuaeroNodeWorker CONFIG_TOML   (the configuration file, as `quaero worker --config` reads it)
import Foundation
import Logging
import Quaero
import QuaeroQueue
import QuaeroTestSupport

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: QuaeroNodeWorker CONFIG_TOML\n".utf8))
    exit(2)
}

/// Registers `onSuccess`: the row commits with the ack.
@Sendable func writeRow(_ context: JobContext) {
    let name = "\(context.job.id) \(getpid())"
    context.onSuccess { tx in
        try await TestRows.insert(name, in: tx)
        return nil
    }
}

let config = try QuaeroConfig.load(ConfigRequest(configPath: arguments[1])).config
var logger = Logger(label: "quaero")
logger.logLevel = .info
try await QuaeroRuntime.with(config, logger: logger, waitForDatabase: true) { runtime in
    runtime.pool.register("node_row") { context in
        writeRow(context)
        return nil
    }
    runtime.pool.register("node_noop") { _ in nil }
    runtime.pool.register("node_sleep") { context in
        let milliseconds = context.job.config["ms"]?.intValue ?? 0
        try await Task.sleep(for: .milliseconds(milliseconds))
        writeRow(context)
        return nil
    }
    logger.info("node worker \(getpid()) on \(config.database.shownPath)")
    try await runtime.run(logger: logger)
}
