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
        let done: @Sendable (Result<(claimed: [ClaimedMessage], lost: Bool), any Error>) -> Void
    }

    let manager: JobManager
    let owner: Int64
    /// The pool's name, recorded on the jobs its claims start.
    let worker: String
    /// The types the pool leaves to remote workers.
    let leaving: RemoteTypePolicy
    /// The ends waiting to be written, and whether `run()` has ended (then each end is written alone).
    private let pending = Mutex<(requests: [Request], closed: Bool)>(([], false))
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation

    /// Creates the batcher of pool `owner`; nothing is written until `run()`.
    init(manager: JobManager, owner: Int64, worker: String, leaving: RemoteTypePolicy) {
        self.manager = manager
        self.owner = owner
        self.worker = worker
        self.leaving = leaving
        (doorbell, ring) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Records that `message` (of `job`) succeeded with `result`; with `next`, claims the slot's next message in
    /// the same write. Returns what was claimed and whether the delivery was no longer current, or the write's
    /// error.
    func submit(_ message: ReceivedMessage, job: Job, result: JSONValue?,
                next: Bool) async -> Result<(claimed: [ClaimedMessage], lost: Bool), any Error> {
        // Not cancellable on purpose: the slot must learn what became of its end once it is written.
        let queued = await withCheckedContinuation { (continuation: CheckedContinuation<Result<(claimed: [ClaimedMessage], lost: Bool), any Error>?, Never>) in
            let accepted = pending.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.requests.append(Request(message: message, job: job, result: result, next: next,
                                              done: Self.unwrapping(continuation)))
                return true
            }
            if accepted { ring.yield() } else { continuation.resume(returning: nil) }
        }
        if let queued { return queued }
        // The writer has stopped (its pool's background tasks were cancelled): this end is written alone.
        do {
            return .success(try await write([(message: message, job: job, result: result, next: next)])[0])
        } catch {
            return .failure(error)
        }
    }

    private static func unwrapping(_ continuation: CheckedContinuation<Result<(claimed: [ClaimedMessage], lost: Bool), any Error>?, Never>)
        -> @Sendable (Result<(claimed: [ClaimedMessage], lost: Bool), any Error>) -> Void {
        { continuation.resume(returning: $0) }
    }

    private func write(_ ends: [(message: ReceivedMessage, job: Job, result: JSONValue?, next: Bool)]) async throws
        -> [(claimed: [ClaimedMessage], lost: Bool)] {
        try await manager.end(succeeded: ends, owner: owner, worker: worker, leaving: leaving)
    }

    /// Writes the gathered ends until cancelled (after the pool's slots have all ended).
    func run() async {
        for await _ in doorbell {
            while true {
                let batch = pending.withLock { state in
                    defer { state.requests = [] }
                    return state.requests
                }
                guard !batch.isEmpty else { break }
                do {
                    let results = try await write(batch.map { (message: $0.message, job: $0.job, result: $0.result, next: $0.next) })
                    for (request, outcome) in zip(batch, results) { request.done(.success(outcome)) }
                } catch {
                    for request in batch { request.done(.failure(error)) }
                }
            }
        }
        // Stopped (cancelled): what is left, and what comes later, is written alone by its slot.
        let left = pending.withLock { state in
            state.closed = true
            defer { state.requests = [] }
            return state.requests
        }
        for request in left {
            let end = (message: request.message, job: request.job, result: request.result, next: request.next)
            do {
                request.done(.success(try await write([end])[0]))
            } catch {
                request.done(.failure(error))
            }
        }
    }
}
