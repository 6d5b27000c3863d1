import Foundation
import Synchronization

/// The typed queue the rest of the app uses: it owns the configured queue and turns `JobMessage` values into
/// message bodies and back.
public final class QueueManager: Sendable {
    /// The underlying queue.
    public let queue: Queue
    private let accepting = Mutex(false)

    /// Creates the manager of the queue `queueName` in `store`.
    ///
    /// - Throws: `invalidArgument` for a bad queue name or options.
    public init(store: any QuaeroStore, queueName: String, options: QueueOptions = QueueOptions()) throws {
        queue = try Queue(name: queueName, store: store, options: options)
    }

    /// Starts accepting messages.
    public func start() async throws {
        accepting.withLock { $0 = true }
    }

    /// Stops accepting messages; later `enqueue` calls fail with `closed`. Stored messages stay.
    public func stop() async {
        accepting.withLock { $0 = false }
    }

    /// Whether `start()` was called and `stop()` was not.
    public var isRunning: Bool { accepting.withLock { $0 } }

    /// Enqueues `message` in its own transaction and returns the message id.
    @discardableResult
    public func enqueue(_ message: JobMessage, delay: Duration = .zero, priority: Int = 0, key: String? = nil) async throws -> MessageID {
        try checkRunning()
        return try await queue.send(batch: [Self.outgoing(message, delay: delay, priority: priority, key: key)])[0]
    }

    /// Enqueues `message` inside a transaction the caller opened, so that it commits with the caller's rows.
    @discardableResult
    public func enqueue(_ message: JobMessage, delay: Duration = .zero, priority: Int = 0, key: String? = nil,
                        in tx: any StoreTransaction) async throws -> MessageID {
        try checkRunning()
        return try await queue.send(Self.outgoing(message, delay: delay, priority: priority, key: key), in: tx)
    }

    /// Messages waiting or running: ready, delayed and in flight (not dead letters).
    public func length() async throws -> Int {
        let totals = try await queue.stats().totals
        return totals.ready + totals.delayed + totals.inFlight
    }

    /// The queue's counts by state, in total and per type.
    public func stats() async throws -> QueueStats {
        try await queue.stats()
    }

    private static func outgoing(_ message: JobMessage, delay: Duration, priority: Int, key: String?) throws -> OutgoingMessage {
        OutgoingMessage(body: try message.encoded(), type: message.type.rawValue, delay: delay, priority: priority, key: key)
    }

    private func checkRunning() throws {
        guard isRunning else {
            throw QuaeroError(.closed, "the queue manager of \(queue.name) is not running; call start() before enqueue")
        }
    }
}
