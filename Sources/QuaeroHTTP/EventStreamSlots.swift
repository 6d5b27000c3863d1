import Quaero
import HTTPTypes
import Synchronization

/// Bounds how many event streams are open at once (`[server] max_event_streams`): each one holds a
/// connection and a task for as long as its job runs, so past the bound a new one is refused with 503
/// rather than slowing every other route.
final class EventStreamSlots: Sendable {
    /// The most streams open at once.
    let limit: Int
    private let open = Atomic(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// How many streams are open now.
    var count: Int { open.load(ordering: .relaxed) }

    /// Takes a slot for one stream.
    /// - Throws: 503 `too_many_streams` when all are taken.
    func take() throws -> Slot {
        let (_, now) = open.wrappingAdd(1, ordering: .relaxed)
        guard now <= limit else {
            open.wrappingSubtract(1, ordering: .relaxed)
            throw APIError(.serviceUnavailable, code: "too_many_streams",
                           "\(limit) event streams are open, the most this server keeps ([server] max_event_streams); close one or retry later",
                           headers: [.retryAfter: "5"])
        }
        return Slot(self)
    }

    /// One stream's slot: given back by `release()` at the stream's end, or when it is dropped unused (a
    /// HEAD request, or a connection that closed before its body was written).
    final class Slot: Sendable {
        private let slots: EventStreamSlots
        private let released = Atomic(false)

        fileprivate init(_ slots: EventStreamSlots) {
            self.slots = slots
        }

        /// Gives the slot back (once).
        func release() {
            if !released.exchange(true, ordering: .relaxed) {
                slots.open.wrappingSubtract(1, ordering: .relaxed)
            }
        }

        deinit { release() }
    }
}
