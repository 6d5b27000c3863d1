import Foundation
import QuaeroQueue
import QuaeroTestSupport

/// Runs `body` with a queue named "test" on a fresh store of `kind` and a manual clock.
func withQueue<T>(
    _ kind: StoreKind,
    options: QueueOptions = QueueOptions(visibilityTimeout: .seconds(30), maxReceive: 3),
    _ body: (Queue, ManualClock, any QuaeroStore) async throws -> T
) async throws -> T {
    let clock = ManualClock()
    return try await withStore(kind, clock: clock) { store in
        try await body(try Queue(name: "test", store: store, options: options), clock, store)
    }
}

extension QuaeroStore {
    /// The message `id` as stored, nil when there is none.
    func message(_ id: MessageID) async throws -> QueuedMessage? {
        try await read { try await $0.messages(.id(id)).first }
    }
}
