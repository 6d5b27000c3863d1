import Synchronization

/// The queues whose claims met a message with a flow-control limit lately: their claims run the statement that
/// judges limits (`QueueSQL.lease(judging: true)`) for `window` after each sighting, the others the one without
/// it first. Only which statement runs depends on it, never what a claim returns, so it keeps the process's own
/// monotonic time.
final class LimitSightings: Sendable {
    /// How long a sighting keeps a queue's claims judging: a queue that carries limits pays one statement
    /// without a judgement every `window`, a queue that has none never pays the judgement's plan.
    static let window = Duration.seconds(10)
    private let seen = Mutex<[String: ContinuousClock.Instant]>([:])

    /// Records that a claim of `queue` found a candidate with a limit.
    func saw(_ queue: String) {
        let now = ContinuousClock.now
        seen.withLock { $0[queue] = now }
    }

    /// Whether `queue`'s claims should judge limits now.
    func judging(_ queue: String) -> Bool {
        seen.withLock { seen in
            guard let last = seen[queue] else { return false }
            if ContinuousClock.now - last < Self.window { return true }
            seen[queue] = nil
            return false
        }
    }
}
