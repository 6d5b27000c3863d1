import CLibPQ
import Foundation
import Synchronization

/// The thread of one PostgreSQL connection: it runs the jobs of the tasks that prefer it (a `TaskExecutor`) and
/// the statements handed to it, each a blocking libpq call.
///
/// Why a thread per connection: an operation whose task runs on its connection's thread sends its statements and
/// reads their replies without a switch between threads. Measured on the 2-core machine
/// (`scripts/libpq-probe`): the floor's INSERT from 4 connections at 0.97 of pgbench that way, 0.72 with a hop to
/// the connection's thread and back per statement, where postgres-nio's event loops gave 0.5–0.6
/// (docs/postgresql.md, "What a client on libpq would reach").
final class ConnectionThread: TaskExecutor, @unchecked Sendable {
    private enum Work {
        case job(UnownedJob)
        case call(() -> Void)
    }

    // `work` and `stopped` are guarded by `condition`.
    private let condition = NSCondition()
    private var work: [Work] = []
    private var stopped = false
    /// The thread's `pthread_self`, 0 until it started.
    private let id = Atomic<UInt>(0)

    init(name: String) {
        let started = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            // Named from inside (Foundation's `Thread.name` does not reach the kernel here), at most 15 bytes.
            quaero_name_thread(String(name.utf8.prefix(15))!)
            id.store(UInt(pthread_self()), ordering: .releasing)
            started.signal()
            loop()
        }
        thread.start()
        started.wait()
    }

    /// Whether the caller runs on this thread.
    var isCurrent: Bool { id.load(ordering: .acquiring) == UInt(pthread_self()) }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // A task that still prefers a closed connection's thread goes on on the global executor.
        if !append(.job(job)) { globalConcurrentExecutor.enqueue(job) }
    }

    /// Runs `body` on this thread and returns its result: at once when the caller is on it, else handed over.
    func perform<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        if isCurrent { return try body() }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            if !append(.call({ continuation.resume(with: Result { try body() }) })) {
                continuation.resume(throwing: QuaeroConnectionClosed())
            }
        }
    }

    /// Runs `body` on this thread after the work queued so far, without waiting for it; nothing when stopped.
    func post(_ body: @escaping () -> Void) {
        _ = append(.call(body))
    }

    /// Queues `item` and wakes the thread; false when the thread has stopped.
    private func append(_ item: Work) -> Bool {
        condition.lock()
        guard !stopped else {
            condition.unlock()
            return false
        }
        work.append(item)
        condition.unlock()
        condition.signal()
        return true
    }

    /// Ends the thread once the work queued so far has run; later calls fail, later jobs run elsewhere.
    func stop() {
        condition.lock()
        stopped = true
        condition.unlock()
        condition.signal()
    }

    private func loop() {
        while true {
            condition.lock()
            while work.isEmpty && !stopped { condition.wait() }
            let ready = work
            work = []
            let done = stopped
            condition.unlock()
            for item in ready {
                switch item {
                case .job(let job): job.runSynchronously(on: asUnownedTaskExecutor())
                case .call(let call): call()
                }
            }
            if done && ready.isEmpty { return }
        }
    }
}

/// A statement handed to a connection whose thread has stopped (the connection was closed).
struct QuaeroConnectionClosed: Error, CustomStringConvertible {
    var description: String { "the connection is closed" }
}
