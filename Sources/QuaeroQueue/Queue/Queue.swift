public import Foundation

/// One named queue of opaque messages in a store (many queues share one table).
///
/// A received message is hidden for the visibility timeout; the consumer deletes it when done, extends
/// the lease while it works, or releases it for a retry. After `maxReceive` deliveries a message that was
/// never deleted is dead-lettered: kept, never delivered again, never silently dropped.
public struct Queue: Sendable {
    /// The longest queue name accepted.
    public static let maxNameLength = 100
    /// The most messages one `receive` returns.
    public static let maxReceiveLimit = 1000

    /// The queue's name.
    public let name: String
    /// The store that keeps it.
    public let store: any QuaeroStore
    /// Its visibility timeout and maximum deliveries.
    public let options: QueueOptions
    /// The store's clock, which times every delay and lease.
    public var clock: any QuaeroClock { store.clock }

    /// Creates a handle on the queue `name` of `store`.
    ///
    /// - Throws: `invalidArgument` for an empty or over-long name or out-of-range options.
    public init(name: String, store: any QuaeroStore, options: QueueOptions = QueueOptions()) throws {
        try Self.validate(name: name)
        guard options.maxReceive >= 1 else {
            throw QuaeroError(.invalidArgument, "max_receive must be at least 1, got \(options.maxReceive)")
        }
        guard options.visibilityTimeout > .zero else {
            throw QuaeroError(.invalidArgument, "visibility_timeout must be positive, got \(options.visibilityTimeout)")
        }
        if let maxReady = options.maxReady, maxReady < 1 {
            throw QuaeroError(.invalidArgument, "max_ready must be at least 1, got \(maxReady); omit it for no bound")
        }
        self.name = name
        self.store = store
        self.options = options
    }

    /// Checks a queue name: 1 to `maxNameLength` characters, no control characters.
    public static func validate(name: String) throws {
        guard !name.isEmpty else {
            throw QuaeroError(.invalidArgument, "the queue name is empty; give a name of 1 to \(maxNameLength) characters")
        }
        guard name.count <= maxNameLength else {
            throw QuaeroError(.invalidArgument, "the queue name is \(name.count) characters long; the limit is \(maxNameLength)")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw QuaeroError(.invalidArgument, "the queue name contains a control character; use printable characters")
        }
    }

    // MARK: Send

    /// Sends one message in its own transaction and returns its id (the first id when `key` is a duplicate).
    ///
    /// - Throws: `queueFull` when the queue holds `maxReady` ready messages.
    public func send(_ body: Data, type: String? = nil, delay: Duration = .zero, priority: Int = 0, key: String? = nil) async throws -> MessageID {
        let message = OutgoingMessage(body: body, type: type, delay: delay, priority: priority, key: key)
        try Self.validate(message)
        // A bounded queue counts its ready messages in the same transaction as the send.
        guard options.maxReady != nil else { return try await store.send(NewMessage(message), queue: name).id }
        return try await send(batch: [message])[0]
    }

    /// Sends many messages in one transaction: all are stored or none. Returns their ids in order.
    ///
    /// - Throws: `queueFull` when the queue cannot take them all below `maxReady` ready messages.
    public func send(batch messages: [OutgoingMessage]) async throws -> [MessageID] {
        for message in messages { try Self.validate(message) }
        let batch = messages.map { NewMessage($0) }
        return try await store.write { [self] tx in
            try await checkRoom(in: tx, adding: batch.count)
            return try await tx.send(batch, queue: name).map(\.id)
        }
    }

    /// Sends inside a transaction the caller opened with `QuaeroStore.write`, so that it commits or rolls
    /// back together with the caller's own rows.
    public func send(_ message: OutgoingMessage, in tx: any StoreTransaction) async throws -> MessageID {
        try Self.validate(message)
        try await checkRoom(in: tx)
        return try await tx.send([NewMessage(message)], queue: name)[0].id
    }

    static func validate(_ message: OutgoingMessage) throws {
        guard message.delay >= .zero else {
            throw QuaeroError(.invalidArgument, "the delay is negative (\(message.delay)); give zero or more")
        }
        if let key = message.key, key.isEmpty {
            throw QuaeroError(.invalidArgument, "the dedup key is empty; omit it or give a non-empty key")
        }
    }

    /// A receive of up to `limit` messages of this queue for `owner` (whose jobs record `worker`).
    func request(limit: Int, owner: Int64?, types: Set<String>? = nil, worker: String? = nil) -> ReceiveRequest {
        ReceiveRequest(queue: name, limit: limit, owner: owner, visibility: options.visibilityTimeout,
                       maxReceive: options.maxReceive, types: types, worker: worker)
    }
}
