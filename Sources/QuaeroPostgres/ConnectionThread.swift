import CLibPQ
import Foundation
import Synchronization

/// A thread of PostgreSQL connections: it runs the jobs of the tasks that prefer it (a `TaskExecutor`), the calls
/// handed to it, and waits for the replies of its connections' statements, all of them at once, as pgbench's
/// threads do.
///
/// An operation's task runs on its connection's thread: it sends a statement there and suspends until the reply
/// is in (`awaitReadable`), and the thread runs the other connections' work meanwhile; when nothing is left to
/// run, it sleeps in one `poll` on their sockets and on an eventfd that wakes it for new work.
///
/// Why: tasks that share a thread can share statements (`StatementGathering`: the benchmark's send at 4
/// connections went from 0.52–0.64 of pgbench's floor to a median of 0.87, the cycle at 4 workers from 0.63–0.78 to
/// 0.89–1.02), and a statement that waits (a lock) must not hold up the thread of a transaction it waits for. The
/// threads alone, without the sharing, measured the same as a thread per connection (docs/postgresql.md, "Threads
/// for several connections, and sends, receives and acks that share a statement"). Before that, a thread per
/// connection with the caller's task on it ran at 0.97 of pgbench where a hop to the connection's thread and back
/// per statement ran at 0.72, and postgres-nio's event loops at 0.5–0.6 ("What a client on libpq would reach"):
/// the task stays on the thread of its connection.
final class ConnectionThread: TaskExecutor, @unchecked Sendable {
    private enum Work {
        case job(UnownedJob)
        case call(() -> Void)
    }

    /// A statement's wait for its connection's socket (on the thread only).
    private struct SocketWait {
        let socket: Int32
        let waiter: any SocketWaiter
    }

    // `work`, `stopped` and `sleeping` are guarded by `lock`.
    private let lock = NSLock()
    private var work: [Work] = []
    private var stopped = false
    /// The thread is in (or about to enter) `poll` with no work: a new item must write to `wake`.
    private var sleeping = false
    /// An eventfd that ends the thread's `poll` when work arrives.
    private let wake: Int32
    /// The statements waiting for their replies; touched only on the thread.
    private var waits: [SocketWait] = []
    /// The thread's `pthread_self`, 0 until it started.
    private let id = Atomic<UInt>(0)

    init(name: String) {
        wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(wake >= 0, "eventfd failed: \(String(cString: strerror(errno)))")
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

    deinit { Glibc.close(wake) }

    /// Whether the caller runs on this thread.
    var isCurrent: Bool { id.load(ordering: .acquiring) == UInt(pthread_self()) }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // A task that still prefers a stopped thread goes on on the global executor.
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

    /// Calls `waiter.readable()` on this thread each time `socket` has something to read (or an error), until it
    /// returns true; `waiter.fail()` instead when its wait is ended (`endWait`) or the thread stops. Called on
    /// the thread.
    func awaitReadable(_ socket: Int32, _ waiter: any SocketWaiter) {
        precondition(isCurrent, "a socket wait is registered on its own thread")
        waits.append(SocketWait(socket: socket, waiter: waiter))
    }

    /// Ends `waiter`'s wait, if any, with its error (its connection closes). Called on the thread.
    func endWait(of waiter: any SocketWaiter) {
        guard let index = waits.firstIndex(where: { $0.waiter === waiter }) else { return }
        waits.remove(at: index).waiter.fail()
    }


    /// Queues `item` and wakes the thread when it sleeps; false when the thread has stopped.
    private func append(_ item: Work) -> Bool {
        lock.lock()
        guard !stopped else {
            lock.unlock()
            return false
        }
        work.append(item)
        let asleep = sleeping
        sleeping = false
        lock.unlock()
        if asleep { signal() }
        return true
    }

    private func signal() {
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    /// Ends the thread once the work queued so far has run (statements still waiting fail); later calls fail,
    /// later jobs run elsewhere.
    func stop() {
        lock.lock()
        stopped = true
        let asleep = sleeping
        sleeping = false
        lock.unlock()
        if asleep { signal() }
    }

    private func loop() {
        var ready: [Work] = []
        var descriptors: [pollfd] = []
        // Turns in a row that ran work without a look at the sockets.
        var busy = 0
        while true {
            lock.lock()
            swap(&ready, &work)
            let done = stopped
            if ready.isEmpty && !done { sleeping = true }
            lock.unlock()
            for item in ready {
                switch item {
                case .job(let job): job.runSynchronously(on: asUnownedTaskExecutor())
                case .call(let call): call()
                }
            }
            if done && ready.isEmpty {
                let ended = waits
                waits = []
                for wait in ended { wait.waiter.fail() }
                return
            }
            let idle = ready.isEmpty
            ready.removeAll(keepingCapacity: true)
            // A turn that ran work goes on to the next: with nothing queued by then, it sleeps in `poll` on the
            // sockets; while work keeps coming, a look at them every 8 turns.
            if !idle {
                busy += 1
                guard busy >= 8, !waits.isEmpty else { continue }
            }
            busy = 0
            descriptors.removeAll(keepingCapacity: true)
            descriptors.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0))
            for wait in waits { descriptors.append(pollfd(fd: wait.socket, events: Int16(POLLIN), revents: 0)) }
            let count = poll(&descriptors, nfds_t(descriptors.count), idle ? -1 : 0)
            if idle {
                lock.lock()
                sleeping = false
                lock.unlock()
            }
            guard count > 0 else { continue }
            if descriptors[0].revents != 0 {
                var value: UInt64 = 0
                _ = read(wake, &value, 8)
            }
            // The waits that became readable, by position: `readable` may add waits (never remove them).
            var over: [Int] = []
            for index in 1..<descriptors.count where descriptors[index].revents != 0 {
                if waits[index - 1].waiter.readable() { over.append(index - 1) }
            }
            for index in over.reversed() { waits.remove(at: index) }
        }
    }
}

/// What waits for a socket of a `ConnectionThread` (a connection's statement waiting for its reply).
protocol SocketWaiter: AnyObject {
    /// Reads what arrived; true when the wait is over (the waiting task was resumed).
    func readable() -> Bool
    /// Ends the wait with an error (the connection closes, the thread stops).
    func fail()
}

/// A statement handed to a connection whose thread has stopped (the connection was closed).
struct QuaeroConnectionClosed: Error, CustomStringConvertible {
    var description: String { "the connection is closed" }
}
