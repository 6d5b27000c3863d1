@testable import QuaeroQueue
import QuaeroTestSupport
import Synchronization
import Testing

/// A database, a manual clock, a job manager and a worker pool, for one test.
struct JobHarness: Sendable {
    let database: Database
    let clock: ManualClock
    let manager: JobManager
    let pool: WorkerPool
    var queue: Queue { manager.queue }

    /// Waits (real time) until job `id` has `status`.
    func wait(_ id: String, _ status: JobStatus, timeout: Duration = .seconds(10)) async throws -> Bool {
        await waitUntil(timeout: timeout) { (try? await manager.getJob(id).status) == status }
    }

    /// The job's status now.
    func status(_ id: String) async throws -> JobStatus { try await manager.getJob(id).status }

    /// How long the message stays hidden from now (by delay, backoff or lease), in milliseconds.
    func hiddenFor(_ messageID: MessageID) async throws -> Int64? {
        let now = clock.nowMillis()
        return try await database.read { try $0.queryFirst("SELECT max(visible_at, coalesce(leased_until, 0)) FROM messages WHERE id = ?1", [messageID]) { $0.int64(0) - now } }
    }

    /// The message id of job `id` while it has one.
    func messageID(of id: String) async throws -> MessageID? {
        try await database.read { try $0.queryFirst("SELECT message_id FROM jobs WHERE id = ?1", [id]) { $0.optionalInt64(0) } ?? nil }
    }

    /// Advances the manual clock once `sleepers` tasks sleep on it (so that none misses the step).
    func advance(by duration: Duration, whenSleepers sleepers: Int) async throws {
        #expect(await waitUntil { clock.sleeperCount >= sleepers })
        clock.advance(by: duration)
    }
}

/// Runs `body` with a started pool (unless `start` is false) over a fresh database; stops the pool after.
func withJobHarness(
    queue queueOptions: QueueOptions = QueueOptions(visibilityTimeout: .seconds(30), maxReceive: 3),
    pool poolOptions: WorkerPoolOptions = WorkerPoolOptions(pollInterval: .seconds(3600), backoffJitter: 0),
    start: Bool = true,
    register: (WorkerPool) -> Void = { _ in },
    _ body: (JobHarness) async throws -> Void
) async throws {
    try await withTemporaryDatabase { database, _ in
        let clock = ManualClock()
        let queue = try Queue(name: "jobs", database: database, options: queueOptions, clock: clock)
        let manager = JobManager(queue: queue)
        let pool = try WorkerPool(manager: manager, options: poolOptions, clock: clock)
        register(pool)
        let harness = JobHarness(database: database, clock: clock, manager: manager, pool: pool)
        if start { try await pool.start() }
        do {
            try await body(harness)
        } catch {
            await pool.stop()
            throw error
        }
        await pool.stop()
    }
}

/// Waits until the current task is cancelled, then throws `CancellationError` (a handler that runs "forever").
func waitForCancellation() async throws {
    _ = await Signal<Bool>().wait()
    throw CancellationError()
}

/// A latch a test opens to let handlers finish.
final class Gate: Sendable {
    private let signal = Signal<Bool>()
    func open() { signal.fire(true) }
    /// Waits for the gate; throws `CancellationError` when cancelled first.
    func wait() async throws {
        guard await signal.wait() != nil else { throw CancellationError() }
    }
}

/// A thread-safe counter and list for handlers to record into.
final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])
    func append(_ value: Value) { values.withLock { $0.append(value) } }
    var all: [Value] { values.withLock { $0 } }
    var count: Int { values.withLock { $0.count } }
}
