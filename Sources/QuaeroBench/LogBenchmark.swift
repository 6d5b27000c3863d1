import Logging
public import QuaeroQueue

/// Measures the `LogService` at its default settings: `writers` concurrent tasks append `entries` lines in
/// all (spread over one job per writer) while the service runs; the clock stops when `stop()` has returned,
/// that is when every line is stored.
///
/// Appending costs far less than storing, so writers that never paused would fill the buffer past its
/// limit and shed lines. Like producers that respect a high-water mark, each writer checks every 64 lines
/// and pauses while 10 batches or more are waiting; the figure is thus the rate at which lines are
/// stored, the service's capacity. The benchmark's jobs are created first and deleted at the end (their lines
/// go with them).
///
/// - Parameters:
///   - store: a store, ideally fresh and temporary.
///   - entries: how many lines to append in all (at least 1).
///   - writers: how many concurrent writers (at least 1).
/// - Returns: stored lines per second, and the write reduction (1 − transactions ÷ lines).
/// - Throws: `invalidArgument` for counts below 1; `conflict` if any line was not stored (the figures
///   would be wrong, so none are returned).
public func benchLogs(store: any QuaeroStore, entries: Int, writers: Int = 8) async throws -> (entriesPerSecond: Double, writeReduction: Double) {
    guard entries >= 1, writers >= 1 else {
        throw QuaeroError(.invalidArgument, "benchLogs needs at least 1 entry and 1 writer, got \(entries) entries and \(writers) writers")
    }
    let manager = JobManager(queue: try Queue(name: "bench_logs", store: store))
    let jobIDs = try await manager.createJobs((0..<writers).map { _ in JobSpec(type: "bench") }).map(\.id)
    let service = try LogService(store: store, logger: Logger(label: "quaero.bench.logs"))
    let highWater = service.options.batchSize * 10
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await service.run() }
        await withTaskGroup(of: Void.self) { writing in
            for writer in 0..<writers {
                // Spread the remainder over the first writers, so exactly `entries` are appended.
                let share = entries / writers + (writer < entries % writers ? 1 : 0)
                let jobID = jobIDs[writer]
                writing.addTask {
                    for line in 0..<share {
                        service.append(jobID: jobID, level: .info, message: "fetched https://example.com/page: 200 OK in 12 ms")
                        if line % 64 == 63 {
                            await service.waitForRoom(below: highWater)
                            await Task.yield()
                        }
                    }
                }
            }
        }
        await service.stop()
        try await group.waitForAll()
    }
    let seconds = (ContinuousClock.now - start) / .seconds(1)
    let stats = service.stats
    for id in jobIDs { try await manager.deleteJob(id) }
    guard stats.written == entries else {
        throw QuaeroError(.conflict,
            "the log benchmark stored \(stats.written) of \(entries) lines (shed \(stats.shed), failed \(stats.failed)); no figures reported")
    }
    return (Double(entries) / seconds, stats.writeReduction)
}
