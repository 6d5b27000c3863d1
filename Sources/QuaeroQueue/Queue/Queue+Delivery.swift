extension Queue {
    /// Receives up to `limit` visible messages, best priority first and FIFO within a priority, hiding each
    /// for the visibility timeout. Messages that reached `maxReceive` are dead-lettered on the way.
    ///
    /// - Parameters:
    ///   - limit: 1 to `maxReceiveLimit`.
    ///   - owner: the worker pool taking the leases, so that they can be released if it dies.
    public func receive(limit: Int = 1, owner: Int64? = nil) async throws -> [ReceivedMessage] {
        try Self.validate(limit: limit)
        return try await store.receive(request(limit: limit, owner: owner)).messages
    }

    /// Receives inside a transaction the caller opened; the result also names the messages dead-lettered on
    /// the way (so the caller can mark its own records in the same transaction).
    public func receive(limit: Int, owner: Int64?, in tx: any StoreTransaction) async throws -> Delivery {
        try Self.validate(limit: limit)
        return try await tx.receive(request(limit: limit, owner: owner))
    }

    static func validate(limit: Int) throws {
        guard (1...maxReceiveLimit).contains(limit) else {
            throw QuaeroError(.invalidArgument, "receive limit \(limit) is out of range 1...\(maxReceiveLimit)")
        }
    }

    /// Hides the delivery for `duration` more, counted from now.
    ///
    /// - Throws: `leaseLost` when the message went to another consumer or is gone.
    public func extend(_ receipt: Receipt, by duration: Duration) async throws {
        guard duration > .zero else {
            throw QuaeroError(.invalidArgument, "extend needs a positive duration, got \(duration)")
        }
        guard try await store.extend(receipt, by: duration) else { throw QuaeroError.leaseLost(receipt) }
    }

    /// Deletes the delivered message: the work is done.
    ///
    /// - Throws: `leaseLost` when the message went to another consumer or is gone.
    public func delete(_ receipt: Receipt) async throws {
        guard try await store.delete(receipt) else { throw QuaeroError.leaseLost(receipt) }
    }

    /// Deletes the delivered message inside a transaction the caller opened.
    public func delete(_ receipt: Receipt, in tx: any StoreTransaction) async throws {
        guard try await tx.delete([receipt]).contains(receipt) else { throw QuaeroError.leaseLost(receipt) }
    }

    /// Gives the message back for a retry after `delay`, recording `error`; dead-letters it instead when it
    /// has been delivered `maxReceive` times.
    ///
    /// - Throws: `leaseLost` when the message went to another consumer or is gone.
    @discardableResult
    public func release(_ receipt: Receipt, after delay: Duration = .zero, error: String? = nil) async throws -> ReleaseOutcome {
        try Self.validate(delay: delay)
        guard let outcome = try await store.release(receipt, after: delay, error: error, maxReceive: options.maxReceive) else {
            throw QuaeroError.leaseLost(receipt)
        }
        return outcome
    }

    /// Releases inside a transaction the caller opened.
    public func release(_ receipt: Receipt, after delay: Duration, error: String?, in tx: any StoreTransaction) async throws -> ReleaseOutcome {
        try Self.validate(delay: delay)
        guard let outcome = try await tx.release(receipt, after: delay, error: error, maxReceive: options.maxReceive) else {
            throw QuaeroError.leaseLost(receipt)
        }
        return outcome
    }

    /// Dead-letters the delivered message at once with `reason` (for messages that can never succeed).
    ///
    /// - Throws: `leaseLost` when the message went to another consumer or is gone.
    public func deadLetter(_ receipt: Receipt, reason: String) async throws {
        guard try await store.deadLetter(receipt, reason: reason) else { throw QuaeroError.leaseLost(receipt) }
    }

    /// Dead-letters inside a transaction the caller opened.
    public func deadLetter(_ receipt: Receipt, reason: String, in tx: any StoreTransaction) async throws {
        guard try await tx.deadLetter(receipt, reason: reason) else { throw QuaeroError.leaseLost(receipt) }
    }
}

extension Queue {
    static func validate(delay: Duration) throws {
        guard delay >= .zero else {
            throw QuaeroError(.invalidArgument, "the release delay is negative (\(delay)); give zero or more")
        }
    }
}

extension QuaeroError {
    /// The delivery named by `receipt` is no longer current.
    static func leaseLost(_ receipt: Receipt) -> QuaeroError {
        QuaeroError(.leaseLost,
            "message \(receipt.messageID): this delivery is no longer current (its lease expired and another consumer received it, or it was deleted or dead-lettered); nothing was changed")
    }
}
