/// A live message's place in a queue's listing: the order of delivery, highest priority first, then the
/// earliest visible, then the oldest.
public struct MessagePosition: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
    /// Its priority.
    public var priority: Int
    /// When it is (or was) visible (UTC milliseconds).
    public var visibleAt: Int64
    /// Its id.
    public var id: MessageID

    /// Creates a position.
    public init(priority: Int, visibleAt: Int64, id: MessageID) {
        self.priority = priority
        self.visibleAt = visibleAt
        self.id = id
    }

    /// The position of `message`.
    public init(_ message: QueuedMessage) {
        self.init(priority: message.priority, visibleAt: message.visibleAt, id: message.id)
    }

    /// `priority.visibleAt.id`, as a page's link carries it.
    public var description: String { "\(priority).\(visibleAt).\(id)" }

    /// Parses `priority.visibleAt.id`; nil for anything else.
    public init?(_ description: String) {
        let parts = description.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let priority = Int(parts[0]), let visibleAt = Int64(parts[1]), let id = MessageID(parts[2]) else { return nil }
        self.init(priority: priority, visibleAt: visibleAt, id: id)
    }

    /// Whether `self` comes before `other` in the listing.
    public func precedes(_ other: MessagePosition) -> Bool {
        priority != other.priority ? priority > other.priority : (visibleAt, id) < (other.visibleAt, other.id)
    }
}