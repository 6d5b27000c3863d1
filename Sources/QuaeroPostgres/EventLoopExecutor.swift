import NIOCore
import Synchronization

/// An event loop as a task executor: a store operation runs on its connection's event loop
/// (`withTaskExecutorPreference`), so that its statements are written and their replies read on the thread that
/// does the I/O, instead of hopping between Swift's concurrency threads and the loop twice per statement (a
/// third of a send's time went into those thread switches: docs/postgresql.md, "What limits them"). swift-nio
/// 2.101 makes an event loop a serial executor but not a task executor.
final class EventLoopExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// One executor per event loop of a group (the loops live as long as the process).
    final class Cache: Sendable {
        private let executors = Mutex<[ObjectIdentifier: EventLoopExecutor]>([:])

        func executor(for loop: any EventLoop) -> EventLoopExecutor {
            executors.withLock { all in
                let key = ObjectIdentifier(loop)
                if let executor = all[key] { return executor }
                let executor = EventLoopExecutor(loop)
                all[key] = executor
                return executor
            }
        }
    }
}
