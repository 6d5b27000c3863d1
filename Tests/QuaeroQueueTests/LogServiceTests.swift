import Logging
@testable import QuaeroQueue
import QuaeroTestSupport
import ServiceLifecycle
import Testing

@Suite("LogService", .timeLimit(.minutes(1)))
struct LogServiceTests {
    /// A service on a fresh store with two jobs, "a" and "b", a manual clock and a recording logger.
    private struct Fixture {
        let backing: any QuaeroStore
        let service: LogService
        let clock: ManualClock
        let reported: RecordingLogHandler.Box

        var store: JobLogStore { service.store }
    }

    private func withService(_ kind: StoreKind, _ options: LogServiceOptions = LogServiceOptions(),
                             _ body: (Fixture) async throws -> Void) async throws {
        let clock = ManualClock()
        try await withStore(kind, clock: clock) { backing in
            try await LogFixtures.insertJobs(backing, ["a", "b"])
            let reported = RecordingLogHandler.Box()
            let service = try LogService(store: backing, options: options, logger: RecordingLogHandler.logger(reported))
            try await body(Fixture(backing: backing, service: service, clock: clock, reported: reported))
        }
    }

    /// Runs the service while `body` runs, then stops it and waits for `run()` to return.
    private func whileRunning(_ service: LogService, _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            do {
                try await body()
            } catch {
                await service.stop()
                throw error
            }
            await service.stop()
            try await group.waitForAll()
        }
    }

    private func append(_ service: LogService, _ count: Int, job: String = "a", from start: Int = 0) {
        for i in start..<(start + count) { service.append(jobID: job, level: .info, message: "\(i)") }
    }

    private func expectAccounted(_ stats: LogServiceStats) {
        #expect(stats.appended == stats.written + stats.shed + stats.missingJob + stats.failed + stats.pending, "\(stats)")
    }

    @Test("a full batch of batch_size lines is written at once, in one transaction", arguments: StoreKind.available)
    func flushAtBatchSize(_ kind: StoreKind) async throws {
        try await withService(kind) { f async throws in
            try await whileRunning(f.service) { () async throws in
                append(f.service, 99)
                #expect(f.service.stats.transactions == 0)
                #expect(f.service.stats.pending == 99)
                append(f.service, 1, from: 99)
                #expect(await waitUntil { f.service.stats.written == 100 })
                #expect(f.service.stats.transactions == 1)
                #expect(try await f.store.count(jobID: "a") == 100)

                append(f.service, 50, from: 100)
                #expect(f.service.stats.transactions == 1)
                #expect(f.service.stats.pending == 50)
            }
            #expect(f.service.stats.written == 150)
            #expect(f.service.stats.transactions == 2)
        }
    }

    @Test("lines are written every flush_interval of the injected clock, and an empty buffer costs no transaction", arguments: StoreKind.available)
    func flushByTime(_ kind: StoreKind) async throws {
        try await withService(kind) { f async throws in
            try await whileRunning(f.service) { () async throws in
                append(f.service, 5)
                f.clock.advance(by: .milliseconds(999))
                #expect(f.service.stats.transactions == 0)
                #expect(try await f.store.count(jobID: "a") == 0)

                f.clock.advance(by: .milliseconds(1))
                #expect(await waitUntil { f.service.stats.written == 5 })
                #expect(try await f.store.count(jobID: "a") == 5)
                f.clock.advance(by: .seconds(1))
                append(f.service, 2, from: 5)
                f.clock.advance(by: .seconds(1))
                #expect(await waitUntil { f.service.stats.written == 7 })
                #expect(f.service.stats.transactions == 2)
            }
        }
    }

    @Test("stop() writes every buffered line before it returns", arguments: StoreKind.available)
    func flushOnStop(_ kind: StoreKind) async throws {
        try await withService(kind) { f async throws in
            try await whileRunning(f.service) { () async throws in
                append(f.service, 5)
                append(f.service, 3, job: "b")
            }
            #expect(try await f.store.count(jobID: "a") == 5)
            #expect(try await f.store.count(jobID: "b") == 3)
            #expect(f.service.stats.pending == 0)
            #expect(f.service.stats.transactions == 1)
        }
    }

    @Test("without a stop (as after kill -9), only the lines of the last unflushed batch are missing", arguments: StoreKind.available)
    func crashBound(_ kind: StoreKind) async throws {
        try await withService(kind) { f async throws in
            let running = Task { try await f.service.run() }
            append(f.service, 100)
            #expect(await waitUntil { f.service.stats.written == 100 })
            append(f.service, 50, from: 100)
            // What the store holds now is what a crash would leave behind.
            let survivors = try await f.store.count(jobID: "a")
            #expect(survivors == 100)
            #expect(150 - survivors < f.service.options.batchSize)
            running.cancel()
            try await running.value
        }
    }

    @Test("stop() flushes a service that never ran, and later lines wait for the next flush", arguments: StoreKind.available)
    func stopWithoutRun(_ kind: StoreKind) async throws {
        try await withService(kind) { f async throws in
            append(f.service, 3)
            await f.service.stop()
            #expect(try await f.store.count(jobID: "a") == 3)
            append(f.service, 2, from: 3)
            #expect(f.service.stats.pending == 2)
            try await f.service.flush()
            #expect(try await f.store.count(jobID: "a") == 5)
        }
    }

    @Test("a graceful shutdown of its service group flushes the buffer", arguments: StoreKind.available)
    func gracefulShutdown(_ kind: StoreKind) async throws {
        try await withService(kind) { f async throws in
            let group = ServiceGroup(services: [f.service], logger: Logger(label: "test.group"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                append(f.service, 7)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(try await f.store.count(jobID: "a") == 7)
        }
    }

    @Test("cancelling run() still flushes the buffer", arguments: StoreKind.available)
    func cancelledRun(_ kind: StoreKind) async throws {
        try await withService(kind) { f async throws in
            let running = Task { try await f.service.run() }
            append(f.service, 4)
            running.cancel()
            try await running.value
            #expect(try await f.store.count(jobID: "a") == 4)
        }
    }

    @Test("run() can be called only once", arguments: StoreKind.available)
    func runTwice(_ kind: StoreKind) async throws {
        try await withService(kind) { f async throws in
            try await whileRunning(f.service) { () async throws in
                #expect(await waitUntil { f.service.isRunning })
                await #expect {
                    try await f.service.run()
                } throws: { error in
                    (error as? QuaeroError)?.code == .conflict
                }
            }
        }
    }

    @Test("each job's lines are stored in append order under concurrent writers and many flushes", arguments: StoreKind.available)
    func orderPerJob(_ kind: StoreKind) async throws {
        try await withService(kind, LogServiceOptions(batchSize: 7, bufferLimit: 100_000)) { f async throws in
            let writers = 6, perWriter = 700
            try await whileRunning(f.service) { () async throws in
                await withTaskGroup(of: Void.self) { group in
                    for writer in 0..<writers {
                        group.addTask {
                            for i in 0..<perWriter {
                                f.service.append(jobID: writer % 2 == 0 ? "a" : "b", level: .info, message: "\(writer):\(i)")
                                if i % 10 == 9 { await Task.yield() }
                            }
                        }
                    }
                    // A caller's flush racing the flusher must not reorder batches either.
                    group.addTask { for _ in 0..<20 { try? await f.service.flush(); await Task.yield() } }
                }
            }
            #expect(f.service.stats.written == writers * perWriter)
            #expect(f.service.stats.transactions > 1)
            for job in ["a", "b"] {
                let lines = try await LogFixtures.lines(f.store, job)
                #expect(lines.count == writers / 2 * perWriter)
                #expect(lines.map(\.id) == lines.map(\.id).sorted())
                #expect(lines.map(\.timestamp) == lines.map(\.timestamp).sorted())
                for writer in stride(from: job == "a" ? 0 : 1, to: writers, by: 2) {
                    let sequence = lines.compactMap { line -> Int? in
                        let parts = line.message.split(separator: ":")
                        return parts[0] == "\(writer)" ? Int(parts[1]) : nil
                    }
                    #expect(sequence == Array(0..<perWriter))
                }
            }
        }
    }

    @Test("timestamps never go backwards, even when the clock does not move", arguments: StoreKind.available)
    func timestampsFromClock(_ kind: StoreKind) async throws {
        try await withService(kind) { f async throws in
            append(f.service, 2)
            f.clock.advance(by: .milliseconds(1500))
            append(f.service, 1, from: 2)
            try await f.service.flush()
            let lines = try await LogFixtures.lines(f.store, "a")
            let start = f.clock.nowMillis() - 1500
            #expect(lines.map(\.timestamp) == [start, start, start + 1500])
        }
    }

    @Test("past buffer_limit the oldest waiting lines are shed, counted in stats and reported once", arguments: StoreKind.available)
    func overflow(_ kind: StoreKind) async throws {
        try await withService(kind, LogServiceOptions(batchSize: 10, bufferLimit: 20)) { f async throws in
            // Not running: nothing drains the buffer, as under an overload.
            append(f.service, 50)
            var stats = f.service.stats
            #expect(stats.appended == 50 && stats.shed == 30 && stats.pending == 20)
            expectAccounted(stats)

            try await f.service.flush()
            stats = f.service.stats
            #expect(stats.written == 20 && stats.shed == 30 && stats.pending == 0)
            expectAccounted(stats)
            #expect(try await LogFixtures.lines(f.store, "a").map(\.message) == (30..<50).map { "\($0)" })

            let warnings = f.reported.all.filter { $0.level == .warning }
            #expect(warnings.count == 1)
            #expect(warnings.first?.message.description == "shed 30 job log lines: the buffer was full (logs.buffer_limit 20); 30 shed in all")
            #expect(warnings.first?.metadata?["shed"] == "30")

            // Within the same flush interval the next shed lines are counted but reported at stop.
            append(f.service, 25, from: 50)
            try await f.service.flush()
            #expect(f.reported.all.filter { $0.level == .warning }.count == 1)
            await f.service.stop()
            #expect(f.reported.messages.last == "shed 5 job log lines: the buffer was full (logs.buffer_limit 20); 35 shed in all")
            #expect(f.service.stats.shed == 35)
            expectAccounted(f.service.stats)
        }
    }

    @Test("lines of a job that does not exist are dropped and counted without failing the batch", arguments: StoreKind.available)
    func missingJob(_ kind: StoreKind) async throws {
        try await withService(kind) { f async throws in
            f.service.append(jobID: "a", level: .info, message: "kept")
            f.service.append(jobID: "ghost", level: .error, message: "dropped")
            f.service.append(jobID: "b", level: .info, message: "kept too")
            try await f.service.flush()
            let stats = f.service.stats
            #expect(stats.written == 2 && stats.missingJob == 1 && stats.transactions == 1)
            expectAccounted(stats)
            #expect(try await f.store.count(jobID: "a") == 1)
            #expect(try await f.store.count(jobID: "b") == 1)
            #expect(f.reported.messages.contains("dropped 1 job log lines of jobs that do not exist"))
        }
    }

    @Test("a job deleted after its lines were written takes them with it", arguments: StoreKind.available)
    func logsGoWithTheJob(_ kind: StoreKind) async throws {
        try await withService(kind) { f async throws in
            append(f.service, 10)
            append(f.service, 4, job: "b")
            try await f.service.flush()
            try await LogFixtures.deleteJob(f.backing, "a")
            #expect(try await f.store.count(jobID: "a") == 0)
            #expect(try await f.store.count(jobID: "b") == 4)
        }
    }

    @Test("lines that cannot be written stay buffered for the next flush, and are counted as failed at stop", arguments: StoreKind.available)
    func failedWrites(_ kind: StoreKind) async throws {
        try await withService(kind) { f async throws in
            append(f.service, 3)
            await f.backing.close()
            await #expect(throws: QuaeroError.self) { try await f.service.flush() }
            var stats = f.service.stats
            #expect(stats.failedTransactions == 1 && stats.pending == 3 && stats.written == 0)
            expectAccounted(stats)

            append(f.service, 1, from: 3)
            await f.service.stop()
            stats = f.service.stats
            #expect(stats.failed == 4 && stats.pending == 0)
            expectAccounted(stats)
            #expect(f.reported.all.contains { $0.level == .error && $0.message.description == "gave up on 4 job log lines at stop: the final flush failed" })
        }
    }

    @Test("options out of range are rejected with an error naming the key", arguments: StoreKind.available)
    func badOptions(_ kind: StoreKind) async throws {
        let cases: [(LogServiceOptions, String)] = [
            (LogServiceOptions(batchSize: 0), "logs.batch_size must be at least 1, got 0"),
            (LogServiceOptions(flushInterval: .zero), "logs.flush_interval must be at least 1ms, got 0.0 seconds"),
            (LogServiceOptions(flushInterval: .microseconds(500)), "logs.flush_interval must be at least 1ms, got 0.0005 seconds"),
            (LogServiceOptions(batchSize: 10, bufferLimit: 9), "logs.buffer_limit must be at least logs.batch_size (10), got 9"),
        ]
        try await withStore(kind) { store in
            for (options, message) in cases {
                #expect {
                    try LogService(store: store, options: options)
                } throws: { error in
                    let error = try #require(error as? QuaeroError)
                    return error.code == .invalidArgument && error.message == message
                }
            }
        }
    }
}
