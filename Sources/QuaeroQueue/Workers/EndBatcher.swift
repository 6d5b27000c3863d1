import Synchronization

/// Records the ends of a pool's successful attempts together, as a database's group commit does: each slot
/// hands its end over and waits, and one task writes whatever gathered while the previous write ran, in one
/// write (`JobManager.end(succeeded:next:leaving:)`): the messages deleted in one statement, the handlers'
/// own writes in turn, the jobs completed in one statement, and the slots' next messages claimed in one.
/// Used where the store asks for it (`QuaeroStore.batchesJobEnds`): on PostgreSQL a write of its own per
/// end cost about eight round trips per job, and 32 slots of 4 processes waited on each other's counter rows
/// (measured: 150 jobs/s in the 4-process test, 14 of 32 connections waiting on a row lock); on SQLite the
/// slots' claims of one message each cost a statement (and a savepoint) per job (see `SQLiteStore`).
///
/// When the batch's write fails (a handler's own write threw, a deadlock, a broken connection), every slot
/// records its end alone (`JobManager.end`), as without the batcher: acks are fenced by the lease, so an end
/// whose first write did commit after all is found lost, never recorded twice.
final class EndBatcher: Sendable {
    /// What became of one end.
    struct Outcome: Sendable {
        /// The delivery was no longer current: nothing was recorded for it.
        let lost: Bool
        /// The slot's next message, as a claim batch of its own (with the batch's limit signals).
        let next: ClaimBatch
    }

    private struct Request {
        let attempt: SucceededAttempt
        let next: Bool
        let done: CheckedContinuation<Result<Outcome, any Error>, Never>
    }

    private struct State {
        var pending: [Request] = []
        var closed = false
    }

    private let manager: JobManager
    private let request: @Sendable (Int) -> ReceiveRequest
    private let state = Mutex(State())
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation

    /// Creates the batcher of a pool: `request(n)` is its claim of `n` messages (leaving alone what the pool
    /// leaves to remote workers). Nothing is written until `run()`.
    init(manager: JobManager, request: @escaping @Sendable (Int) -> ReceiveRequest) {
        self.manager = manager
        self.request = request
        (doorbell, ring) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Records `attempt`'s end with the next batch; with `next`, claims the slot's next message in the same
    /// write. Returns what became of it, or the batch's error (then nothing of it was recorded... or its
    /// outcome is unknown: record it alone).
    func submit(_ attempt: SucceededAttempt, next: Bool) async -> Result<Outcome, any Error> {
        // Not cancellable on purpose: the slot must learn what became of its end once it is written.
        await withCheckedContinuation { continuation in
            let closed = state.withLock { s in
                if !s.closed { s.pending.append(Request(attempt: attempt, next: next, done: continuation)) }
                return s.closed
            }
            if closed {
                continuation.resume(returning: .failure(QuaeroError(.closed, "the pool's end batcher has stopped")))
            } else {
                ring.yield()
            }
        }
    }

    /// Writes the gathered ends until cancelled (after the pool's slots have all ended).
    func run() async {
        for await _ in doorbell {
            while case let batch = take(), !batch.isEmpty {
                await write(batch)
            }
        }
        // Stopped: nothing may be left waiting; a late end is recorded alone.
        let left = state.withLock { s in
            s.closed = true
            defer { s.pending = [] }
            return s.pending
        }
        for request in left { request.done.resume(returning: .failure(QuaeroError(.closed, "the pool's end batcher has stopped"))) }
    }

    private func take() -> [Request] {
        state.withLock { s in
            defer { s.pending = [] }
            return s.pending
        }
    }

    private func write(_ batch: [Request]) async {
        let wanted = batch.count { $0.next }
        do {
            let (lost, claimed) = try await manager.end(succeeded: batch.map(\.attempt), next: wanted > 0 ? request(wanted) : nil)
            var next = claimed.claimed[...]
            for request in batch {
                var own = ClaimBatch(heldBack: claimed.heldBack, rateLimitedUntil: claimed.rateLimitedUntil)
                if request.next, let message = next.popFirst() { own.claimed = [message] }
                request.done.resume(returning: .success(Outcome(lost: lost.contains(request.attempt.receipt), next: own)))
            }
        } catch {
            for request in batch { request.done.resume(returning: .failure(error)) }
        }
    }
}
