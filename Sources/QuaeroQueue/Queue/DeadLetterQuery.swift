/// Which dead letters `StoreReader.deadLetters(_:)` returns: newest first (by when they died, then id), a
/// page at a time.
public struct DeadLetterQuery: Sendable, Hashable {
    /// The queue.
    public var queue: String
    /// Only dead letters of this message type.
    public var type: String?
    /// Keyset paging: only dead letters that come after this one (give the last of the previous page).
    public var after: DeadLetterCursor?
    /// At most this many.
    public var limit: Int

    /// Creates a query.
    public init(queue: String, type: String? = nil, after: DeadLetterCursor? = nil, limit: Int = 50) {
        self.queue = queue
        self.type = type
        self.after = after
        self.limit = limit
    }
}

/// A dead letter's place in the newest-first order: when it died, then its id.
public struct DeadLetterCursor: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
    /// When it was dead-lettered (UTC milliseconds).
    public var deadAt: Int64
    /// Its message id.
    public var id: MessageID

    /// Creates a cursor.
    public init(deadAt: Int64, id: MessageID) {
        self.deadAt = deadAt
        self.id = id
    }

    /// The cursor of `letter`.
    public init(_ letter: DeadLetter) {
        self.init(deadAt: letter.deadAt, id: letter.id)
    }

    /// `deadAt.id`, as a page's link carries it.
    public var description: String { "\(deadAt).\(id)" }

    /// Parses `deadAt.id`; nil for anything else.
    public init?(_ description: String) {
        let parts = description.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let deadAt = Int64(parts[0]), let id = MessageID(parts[1]) else { return nil }
        self.init(deadAt: deadAt, id: id)
    }
}
