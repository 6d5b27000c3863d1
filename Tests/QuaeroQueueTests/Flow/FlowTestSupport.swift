import Foundation
@testable import QuaeroQueue
import QuaeroTestSupport

extension Queue {
    /// Sends messages with `limits` in one transaction (the store's own send, as a job's message is sent).
    @discardableResult
    func send(_ bodies: [String], type: String? = nil, limits: MessageLimits?) async throws -> [MessageID] {
        let messages = bodies.map { NewMessage(OutgoingMessage(body: Data($0), type: type), limits: limits) }
        return try await store.write { [name] tx in try await tx.send(messages, queue: name).map(\.id) }
    }

    /// What a receive of up to `limit` messages delivers, with the store's word on what limits held back.
    func deliver(_ limit: Int) async throws -> Delivery {
        try await store.receive(request(limit: limit, owner: nil))
    }
}

extension Delivery {
    /// The bodies delivered, in order.
    var bodies: [String] { messages.map(\.text) }
}
