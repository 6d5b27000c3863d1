import Foundation

extension Queue {
    /// Receives up to `limit` visible messages, best priority first and FIFO within a priority, hiding each
    /// for the visibility timeout. Messages that reached `maxReceive` are dead-lettered on the way.
    ///
    /// - Parameters:
    ///   - limit: 1 to `maxReceiveLimit`.
    ///   - owner: the worker pool taking the leases, so that they can be released if it dies.
    public func receive(limit: Int = 1, owner: Int64? = nil) async throws -> [ReceivedMessage] {
        guard (1...Self.maxReceiveLimit).contains(limit) else {
            throw QuaeroError(.invalidArgument, "receive limit \(limit) is out of range 1...\(Self.maxReceiveLimit)")
        }
        return try await database.write { try self.receive(limit: limit, owner: owner, in: $0) }
    }

    /// Receives inside a transaction the caller opened.
    public func receive(limit: Int, owner: Int64?, in connection: Connection) throws -> [ReceivedMessage] {
        try receive(limit: limit, owner: owner, in: connection) { _, _ in }
    }

    /// Receives inside a transaction the caller opened, calling `deadLettered` with the id and reason of each
    /// message that reached `maxReceive` and was dead-lettered instead of delivered (so the caller can mark
    /// its own records in the same transaction).
    public func receive(limit: Int, owner: Int64?, in connection: Connection,
                        deadLettered: (MessageID, String) throws -> Void) throws -> [ReceivedMessage] {
        var delivered: [ReceivedMessage] = []
        let candidates = try connection.prepare(QueueSQL.candidates)
        let lease = try connection.prepare(QueueSQL.lease)
        let now = clock.nowMillis()
        let leasedUntil = now + options.visibilityTimeout.milliseconds
        var random = SystemRandomNumberGenerator()
        while delivered.count < limit {
            candidates.bind(2, now)
            candidates.bind(3, Int64(limit - delivered.count))
            let rows = try name.withCString { name in
                candidates.bindNoCopy(1, text: name)
                return try candidates.rows { row in
                    (id: row.int64(0), type: row.optionalText(1), body: row.data(2), received: row.int(3),
                     priority: row.int(4), createdAt: row.int64(5), lastError: row.optionalText(6))
                }
            }
            var exhausted = 0
            for row in rows {
                guard row.received < options.maxReceive else {
                    // Its last delivery's lease expired without a delete, release or dead letter: its
                    // worker died or hung. Never deliver it again.
                    let reason = "delivered \(row.received) times (max_receive \(options.maxReceive)) without being deleted"
                        + (row.lastError.map { "; last error: \($0)" } ?? "; the last lease expired")
                    try connection.execute(QueueSQL.deadLetterExhausted, [row.id, now, reason])
                    try deadLettered(row.id, reason)
                    exhausted += 1
                    continue
                }
                let token = Int64(bitPattern: random.next())
                lease.bind(1, row.id)
                lease.bind(2, token)
                lease.bind(3, owner.sqlValue)
                lease.bind(4, leasedUntil)
                try lease.run()
                delivered.append(ReceivedMessage(
                    id: row.id, type: row.type, body: row.body, received: row.received + 1, priority: row.priority,
                    receipt: Receipt(messageID: row.id, lease: token), createdAt: row.createdAt, lastError: row.lastError))
            }
            // Only when some candidates were dead-lettered instead of delivered can more be waiting.
            if exhausted == 0 { break }
        }
        return delivered
    }

    /// Hides the delivery for `duration` more, counted from now.
    ///
    /// - Throws: `leaseLost` when the message went to another consumer or is gone.
    public func extend(_ receipt: Receipt, by duration: Duration) async throws {
        guard duration > .zero else {
            throw QuaeroError(.invalidArgument, "extend needs a positive duration, got \(duration)")
        }
        try await database.write { connection in
            guard try self.extendLease(receipt, until: self.clock.nowMillis() + duration.milliseconds, in: connection) else {
                throw self.leaseLost(receipt)
            }
        }
    }

    /// Hides the delivered message until `until` (UTC milliseconds) in the caller's transaction; false when
    /// the delivery is no longer current.
    func extendLease(_ receipt: Receipt, until: Int64, in connection: Connection) throws -> Bool {
        let stmt = try connection.prepare(QueueSQL.extend)
        stmt.bind(1, receipt.messageID)
        stmt.bind(2, receipt.lease)
        stmt.bind(3, until)
        try stmt.run()
        return connection.changes > 0
    }

    /// Deletes the delivered message: the work is done.
    ///
    /// - Throws: `leaseLost` when the message went to another consumer or is gone.
    public func delete(_ receipt: Receipt) async throws {
        try await database.write { try self.delete(receipt, in: $0) }
    }

    /// Deletes the delivered message inside a transaction the caller opened.
    public func delete(_ receipt: Receipt, in connection: Connection) throws {
        let stmt = try connection.prepare(QueueSQL.delete)
        stmt.bind(1, receipt.messageID)
        stmt.bind(2, receipt.lease)
        try stmt.run()
        try checkCurrent(receipt, connection)
    }

    /// Gives the message back for a retry after `delay`, recording `error`; dead-letters it instead when it
    /// has been delivered `maxReceive` times.
    ///
    /// - Throws: `leaseLost` when the message went to another consumer or is gone.
    @discardableResult
    public func release(_ receipt: Receipt, after delay: Duration = .zero, error: String? = nil) async throws -> ReleaseOutcome {
        try await database.write { try self.release(receipt, after: delay, error: error, in: $0) }
    }

    /// Releases inside a transaction the caller opened.
    public func release(_ receipt: Receipt, after delay: Duration, error: String?, in connection: Connection) throws -> ReleaseOutcome {
        guard delay >= .zero else {
            throw QuaeroError(.invalidArgument, "the release delay is negative (\(delay)); give zero or more")
        }
        let now = clock.nowMillis()
        let stmt = try connection.prepare(QueueSQL.release)
        stmt.bind(1, receipt.messageID)
        stmt.bind(2, receipt.lease)
        stmt.bind(3, now)
        stmt.bind(4, now + delay.milliseconds)
        stmt.bind(5, error.sqlValue)
        stmt.bind(6, Int64(options.maxReceive))
        guard let dead = try stmt.first({ $0.int64(0) != 0 }) else { throw leaseLost(receipt) }
        return dead ? .deadLettered : .requeued
    }

    /// Dead-letters the delivered message at once with `reason` (for messages that can never succeed).
    ///
    /// - Throws: `leaseLost` when the message went to another consumer or is gone.
    public func deadLetter(_ receipt: Receipt, reason: String) async throws {
        try await database.write { try self.deadLetter(receipt, reason: reason, in: $0) }
    }

    /// Dead-letters inside a transaction the caller opened.
    public func deadLetter(_ receipt: Receipt, reason: String, in connection: Connection) throws {
        let stmt = try connection.prepare(QueueSQL.deadLetter)
        stmt.bind(1, receipt.messageID)
        stmt.bind(2, receipt.lease)
        stmt.bind(3, clock.nowMillis())
        stmt.bind(4, .text(reason))
        try stmt.run()
        try checkCurrent(receipt, connection)
    }

    private func checkCurrent(_ receipt: Receipt, _ connection: Connection) throws {
        if connection.changes == 0 { throw leaseLost(receipt) }
    }

    private func leaseLost(_ receipt: Receipt) -> QuaeroError {
        QuaeroError(.leaseLost,
            "message \(receipt.messageID): this delivery is no longer current (its lease expired and another consumer received it, or it was deleted or dead-lettered); nothing was changed")
    }
}
