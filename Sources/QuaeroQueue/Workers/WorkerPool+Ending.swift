import Logging
import Synchronization

/// How an attempt's message ends.
enum AttemptEnding: Sendable {
    /// The attempt ran: record its outcome.
    case attempt(Job, AttemptOutcome)
    /// The message cannot run: dead-letter it with the reason.
    case deadLetter(String)
    /// The message belongs to a job that already ended: delete it.
    case discard
    /// The delivery is no longer ours (cancelled, or the lease was lost): change nothing.
    case nothing
}

/// One slot's end, waiting to be written with the ends of the pool's other slots.
///
/// Invariant behind `@unchecked Sendable`: `next`, `failed` and `continuation` are written by the slot before
/// it queues the request and by the leader after it took the request out of the queue (under the pool's
/// mutex); the slot reads `next` and `failed` only after the leader resumed it.
final class EndRequest: @unchecked Sendable {
    let message: ReceivedMessage
    let ending: AttemptEnding
    /// The wake-up generation when the slot asked for a next message; nil when it did not.
    let look: Int?
    var next: ClaimedJob?
    var failed = false
    var continuation: CheckedContinuation<Bool, Never>?

    init(message: ReceivedMessage, ending: AttemptEnding, look: Int?) {
        self.message = message
        self.ending = ending
        self.look = look
    }
}

/// The end of attempts: the ends of slots that finish together are written in one transaction body, with one
/// receive for all of their next messages (a pool-level group commit: the first slot to end leads, the
/// ones that end meanwhile queue behind it and go in the next batch).
extension WorkerPool {
    /// Records how the message ended and, when the queue may hold more, receives the slot's next message in
    /// the same write; returns that message.
    func end(_ message: ReceivedMessage, _ ending: AttemptEnding, poolID: Int64) async -> ClaimedJob? {
        let request = EndRequest(message: message, ending: ending, look: state.withLock { $0.slots.refill() })
        let leads = state.withLock { s -> Bool in
            if s.endsInProgress { return false }
            s.endsInProgress = true
            return true
        }
        var promoted = leads
        if !leads {
            promoted = await withCheckedContinuation { continuation in
                request.continuation = continuation
                let queued = state.withLock { s -> Bool in
                    guard s.endsInProgress else {
                        s.endsInProgress = true
                        return false
                    }
                    s.endQueue.append(request)
                    return true
                }
                if !queued { continuation.resume(returning: true) }
            }
        }
        if promoted { await leadEnds(first: request, poolID: poolID) }
        let looked = request.failed ? nil : request.look
        let ring = state.withLock { s in s.slots.slotEnded(lookedAt: looked, gotNext: request.next != nil) ? s.session?.ring : nil }
        ring?.yield()
        return request.next
    }

    /// Writes `first` and every end queued behind it, resumes their slots, and hands the lead to the next
    /// waiting slot, if any.
    private func leadEnds(first: EndRequest, poolID: Int64) async {
        let batch = [first] + state.withLock { s in
            defer { s.endQueue.removeAll(keepingCapacity: true) }
            return s.endQueue
        }
        await write(batch, poolID: poolID)
        for other in batch.dropFirst() { other.continuation?.resume(returning: false) }
        let next = state.withLock { s -> EndRequest? in
            if s.endQueue.isEmpty {
                s.endsInProgress = false
                return nil
            }
            return s.endQueue.removeFirst()
        }
        next?.continuation?.resume(returning: true)
    }

    private func write(_ batch: [EndRequest], poolID: Int64) async {
        let store = manager.store
        let wanted = batch.count { $0.look != nil }
        var claimed: [ClaimedJob] = []
        do {
            claimed = try await manager.database.write { connection -> [ClaimedJob] in
                var events: [JobEvent] = []
                for request in batch {
                    do {
                        events += try Self.record(request, store: store, in: connection)
                    } catch let error as QuaeroError where error.code == .leaseLost {
                        // Nothing was changed: the delivery is someone else's now (or gone).
                    }
                }
                var claimed: [ClaimedJob] = []
                if wanted > 0 {
                    let more: [JobEvent]
                    (claimed, more) = try store.claim(limit: wanted, owner: poolID, in: connection)
                    events += more
                }
                self.manager.publish(events, after: connection)
                return claimed
            }
            var nexts = claimed.makeIterator()
            for request in batch where request.look != nil { request.next = nexts.next() }
        } catch {
            logger.error("could not record the end of jobs; their messages return after the visibility timeout",
                         metadata: ["messages": "\(batch.map(\.message.id))", "error": "\(error)"])
            for request in batch { request.failed = true }
        }
        // The batch's deliveries are no longer held (ended, or left to come back when their lease runs out);
        // the next ones are.
        state.withLock { s in
            s.held.subtract(batch.map(\.message.receipt))
            s.held.formUnion(claimed.map(\.message.receipt))
        }
    }

    /// Records one end. Every path changes nothing when it throws `leaseLost` (its first statement checks the
    /// lease), so one lost lease does not spoil the batch.
    private static func record(_ request: EndRequest, store: JobStore, in connection: Connection) throws -> [JobEvent] {
        let message = request.message
        switch request.ending {
        case .attempt(let job, let outcome):
            return try store.finish(job, receipt: message.receipt, outcome: outcome, in: connection)
        case .deadLetter(let reason):
            return try store.deadLetter(message, reason: reason, in: connection)
        case .discard:
            try store.queue.delete(message.receipt, in: connection)
            return []
        case .nothing:
            return []
        }
    }
}
