import Synchronization

/// Records the ends of a pool's successful attempts together: each slot hands its end over and waits, and one
/// task writes whatever has gathered, in one write (`JobManager.end(succeeded:owner:)`), as a database's
/// group commit does. That write deletes the messages in one call, completes the jobs in another and claims
/// the slots' next messages in a third, however many ended meanwhile: on PostgreSQL, five round trips for
/// the batch instead of five per job (measured: `quaero bench --db postgres://… --only jobs_per_s`).
///
/// Only ends without writes of their own (`onSuccess`) come here: such a write could fail, and take the
/// others' ends down with it; those are recorded alone (`JobManager.end`).
final class EndBatcher: Sendable {
    private struct Request {
        let message: ReceivedMessage
        let job: Job
        let result: JSONValue?
        let next: Bool
        let done: CheckedContinuation<Result<(claimed: [ClaimedMessage], lost: Bool), any Error>, Never>
    }

    let manager: JobManager
    let owner: Int64
    private let pending = Mutex<[Request]>([])
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation

    /// Creates the batcher of pool `owner`; nothing is written until `run()`.
    init(manager: JobManager, owner: Int64) {
        self.manager = manager
        self.owner = owner
        (doorbell, ring) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Records that `message` (of `job`) succeeded with `result`; with `next`, claims the slot's next message in
    /// the same write. Returns what was claimed and whether the delivery was no longer current, or the write's
    /// error.
    func submit(_ message: ReceivedMessage, job: Job, result: JSONValue?,
                next: Bool) async -> Result<(claimed: [ClaimedMessage], lost: Bool), any Error> {
        // Not cancellable on purpose: the slot must learn what became of its end once it is written.
        await withCheckedContinuation { continuation in
            pending.withLock { $0.append(Request(message: message, job: job, result: result, next: next, done: continuation)) }
            ring.yield()
        }
    }

    /// Writes the gathered ends until cancelled (after the pool's slots have all ended).
    func run() async {
        for await _ in doorbell {
            while true {
                let batch = pending.withLock { requests in
                    defer { requests = [] }
                    return requests
                }
                guard !batch.isEmpty else { break }
                do {
                    let results = try await manager.end(
                        succeeded: batch.map { (message: $0.message, job: $0.job, result: $0.result, next: $0.next) }, owner: owner)
                    for (request, outcome) in zip(batch, results) { request.done.resume(returning: .success(outcome)) }
                } catch {
                    for request in batch { request.done.resume(returning: .failure(error)) }
                }
            }
        }
        // Stopped: nothing may be left waiting.
        let left = pending.withLock { requests in
            defer { requests = [] }
            return requests
        }
        for request in left { request.done.resume(returning: .failure(CancellationError())) }
    }
}
