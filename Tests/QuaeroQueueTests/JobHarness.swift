@testable import QuaeroQueue
import QuaeroTestSupport
import Synchronization
import Testing

/// A store, a manual clock, a job manager and a worker pool, for one test.
struct JobHarness: Sendable {
    let store: any QuaeroStore
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
        guard let message = try await store.message(messageID) else { return nil }
        return max(message.visibleAt, message.leasedUntil ?? 0) - clock.nowMillis()
    }

    /// Waits (real time) until the pool is not claiming and expects no work (every wake-up it got was answered
    /// by a claim that came back short): what the test does next races no claim of the pool. A send's wake-up
    /// reaches the pool through a task of its own, so it may arrive while a claim is under way, and the pool
    /// then claims once more; on PostgreSQL, where claims do not queue behind one writer, that claim could
    /// come after the test released a lease and take the message again.
    func settled(timeout: Duration = .seconds(10)) async -> Bool {
        await waitUntil(timeout: timeout) {
            pool.state.withLock { s in !s.slots.mayHaveMore && s.slots.idle + s.slots.held.count == s.slots.concurrency }
        }
    }

    /// Stops the pool; while it drains, moves the clock past the shutdown timeout (real time, every 50 ms), so
    /// that a handler a failed test left running is told to stop instead of holding the test forever.
    func stopPool() async {
        let stopping = Task { await pool.stop() }
        let nudging = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(50))
                clock.advance(by: pool.options.shutdownTimeout)
            }
        }
        await stopping.value
        nudging.cancel()
    }

    /// The message id of job `id` while it has one.
    func messageID(of id: String) async throws -> MessageID? {
        try await store.read { try await $0.messages(.job(id)).first?.id }
    }
}

/// Runs `body` with a started pool (unless `start` is false) over a fresh store of `kind`; stops the pool after.
func withJobHarness(
    _ kind: StoreKind,
    queue queueOptions: QueueOptions = QueueOptions(visibilityTimeout: .seconds(30), maxReceive: 3),
    pool poolOptions: WorkerPoolOptions = WorkerPoolOptions(pollInterval: .seconds(3600), backoffJitter: 0),
    start: Bool = true,
    register: (WorkerPool) -> Void = { _ in },
    _ body: (JobHarness) async throws -> Void
) async throws {
    let clock = ManualClock()
    try await withStore(kind, clock: clock) { store in
        let queue = try Queue(name: "jobs", store: store, options: queueOptions)
        let manager = JobManager(queue: queue)
        let pool = try WorkerPool(manager: manager, options: poolOptions)
        register(pool)
        let harness = JobHarness(store: store, clock: clock, manager: manager, pool: pool)
        if start { try await pool.start() }
        do {
            try await body(harness)
        } catch {
            await harness.stopPool()
            throw error
        }
        await harness.stopPool()
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
