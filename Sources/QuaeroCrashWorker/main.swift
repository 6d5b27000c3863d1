// A worker process for the crash test (Tests/QuaeroQueueTests/CrashTests.swift): it runs a WorkerPool over the
// queue `crash` of the database at argv[1] until it is killed. Each execution is recorded durably in
// `crash_executions` before the job ends; a `poison` job kills its own process on every attempt.
//
// Usage: QuaeroCrashWorker DB_PATH HEARTBEAT_MS
//        QuaeroCrashWorker DB_PATH logs JOB_ID   (the job-log crash test: appends numbered lines to the
//        job's log through a LogService at default settings, about one a millisecond, and prints how many it
//        has appended after every tenth, until it is killed)
import Foundation
import QuaeroQueue
import QuaeroSQLite

let arguments = CommandLine.arguments
if arguments.count == 4, arguments[2] == "logs" {
    let service = try LogService(store: try SQLiteStore(path: arguments[1]))
    let runner = Task { try await service.run() }
    var appended = 0
    while true {
        service.append(jobID: arguments[3], level: .info, message: "line \(appended)")
        appended += 1
        if appended % 10 == 0 {
            FileHandle.standardOutput.write(Data("\(appended)\n".utf8))
        }
        try await Task.sleep(for: .milliseconds(1))
    }
    _ = runner
}
guard arguments.count == 3, let heartbeat = Int(arguments[2]), heartbeat > 0 else {
    FileHandle.standardError.write(Data("usage: QuaeroCrashWorker DB_PATH HEARTBEAT_MS\n".utf8))
    exit(2)
}

/// Records one execution of `context`'s job in its own transaction, before the handler goes on.
@Sendable func record(_ context: JobContext) async throws {
    let (id, attempt, pid) = (context.job.id, context.attempt, Int(getpid()))
    try await context.write { tx in
        // The test's own table, next to the engine's: written with the SQLite store's connection.
        try (tx as! SQLiteTransaction).connection.execute(
            "INSERT INTO crash_executions (job_id, attempt, pid) VALUES (?1, ?2, ?3)", [id, attempt, pid])
    }
}

// Checkpoints every 64 WAL pages instead of 10,000, so that kills also land during background checkpoints.
let store = try SQLiteStore(path: arguments[1], options: DatabaseOptions(walAutocheckpointPages: 64))
let manager = JobManager(queue: try Queue(name: "crash", store: store))  // default visibility timeout and max_receive
// Every job event lands in its job's log (which deliveries a pool's death counted, among them).
let logs = try LogService(store: store, options: LogServiceOptions(flushInterval: .milliseconds(50)))
manager.addSink(JobEventLogSink(service: logs))
let pool = try WorkerPool(manager: manager, options: WorkerPoolOptions(
    pollInterval: .milliseconds(100), heartbeatInterval: .milliseconds(heartbeat), name: "crash-worker"), logService: logs)
pool.register("crash_job") { context in
    try await record(context)
    return nil
}
pool.register("poison") { context in
    try await record(context)
    kill(getpid(), SIGKILL)
    return nil
}
let flusher = Task { try await logs.run() }
try await pool.start()
while true { try await Task.sleep(for: .seconds(3600)) }
_ = flusher
