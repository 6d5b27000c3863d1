public import Foundation

/// One named queue of opaque messages in a database (many queues share one table).
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
    /// The database that stores it.
    public let database: Database
    /// Its visibility timeout and maximum deliveries.
    public let options: QueueOptions
    /// The clock read inside each write transaction.
    public let clock: any QuaeroClock

    /// Creates a handle on the queue `name` of `database`.
    ///
    /// - Throws: `invalidArgument` for an empty or over-long name or out-of-range options.
    public init(name: String, database: Database, options: QueueOptions = QueueOptions(), clock: any QuaeroClock = SystemClock()) throws {
        try Self.validate(name: name)
        guard options.maxReceive >= 1 else {
            throw QuaeroError(.invalidArgument, "max_receive must be at least 1, got \(options.maxReceive)")
        }
        guard options.visibilityTimeout > .zero else {
            throw QuaeroError(.invalidArgument, "visibility_timeout must be positive, got \(options.visibilityTimeout)")
        }
        self.name = name
        self.database = database
        self.options = options
        self.clock = clock
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
    public func send(_ body: Data, type: String? = nil, delay: Duration = .zero, priority: Int = 0, key: String? = nil) async throws -> MessageID {
        let message = OutgoingMessage(body: body, type: type, delay: delay, priority: priority, key: key)
        try Self.validate(message)
        return try await database.write { try self.insert(message, $0) }
    }

    /// Sends many messages in one transaction: all are stored or none.
    public func send(batch messages: [OutgoingMessage]) async throws -> [MessageID] {
        for message in messages { try Self.validate(message) }
        return try await database.write { connection in try messages.map { try self.insert($0, connection) } }
    }

    /// Sends a message inside a transaction the caller opened with `Database.write`, so that it commits or
    /// rolls back together with the caller's own rows.
    public func send(_ message: OutgoingMessage, in connection: Connection) throws -> MessageID {
        try Self.validate(message)
        return try insert(message, connection)
    }

    private static func validate(_ message: OutgoingMessage) throws {
        guard message.delay >= .zero else {
            throw QuaeroError(.invalidArgument, "the delay is negative (\(message.delay)); give zero or more")
        }
        if let key = message.key, key.isEmpty {
            throw QuaeroError(.invalidArgument, "the dedup key is empty; omit it or give a non-empty key")
        }
    }

    private func insert(_ message: OutgoingMessage, _ connection: Connection) throws -> MessageID {
        let now = clock.nowMillis()
        let stmt = try connection.prepare(message.key == nil ? QueueSQL.send : QueueSQL.sendWithKey)
        stmt.bind(2, message.type.sqlValue)
        stmt.bind(4, Int64(message.priority))
        stmt.bind(5, now + message.delay.milliseconds)
        stmt.bind(6, message.key.sqlValue)
        stmt.bind(7, now)
        // The name and body are bound without copies: both outlive the step, and `first` resets.
        try name.withCString { name in
            try message.body.withUnsafeBytes { body in
                stmt.bindNoCopy(1, text: name)
                stmt.bindNoCopy(3, blob: body)
                try stmt.run()
            }
        }
        if connection.changes == 1 {
            let (signal, queue) = (database.sendSignal, name)
            connection.afterCommit(once: queue) { signal.post(queue: queue) }
            return connection.lastInsertRowID
        }
        // The key is taken: answer the id of the message that holds it.
        return try connection.queryFirst(QueueSQL.findByKey, [name, message.key]) { $0.int64(0) }!
    }
}
