import QuaeroQueue

/// A queue's live messages by state, a page at a time, each page a few index ranges (`QueueListingSQL`).
extension SQLiteTransaction {
    func listQueue(_ queue: String, state: QueuedMessage.State, after: MessagePosition?, limit: Int, now: Int64) throws -> [QueuedMessage] {
        guard limit > 0 else { return [] }
        switch state {
        case .dead:
            throw QuaeroError(.invalidArgument, "dead letters are not listed by state: list them with deadLetters(_:), newest first")
        case .inFlight:
            let start = after ?? MessagePosition(priority: .max, visibleAt: .min, id: .min)
            return try connection.query(QueueListingSQL.inFlight,
                                        [now, queue, start.priority, start.visibleAt, start.id, limit], Self.queued)
        case .ready, .delayed:
            return try listByPriority(queue, delayed: state == .delayed, after: after, limit: limit, now: now)
        }
    }

    /// Walks the priorities from the cursor's down, one index range each, until the page is full. A priority
    /// whose messages are all in another state costs one empty range.
    private func listByPriority(_ queue: String, delayed: Bool, after: MessagePosition?, limit: Int, now: Int64) throws -> [QueuedMessage] {
        var found: [QueuedMessage] = []
        var priority = try after.map(\.priority)
            ?? connection.queryFirst(QueueListingSQL.topPriority, [queue]) { $0.int(0) }
        var cursor = after.map { ($0.visibleAt, $0.id) }
        while let current = priority, found.count < limit {
            var start = cursor ?? (.min, .min)
            // A delayed message is visible after now: start there (a cursor from an older page may be earlier).
            if delayed, start.0 <= now { start = (now, .max) }
            found += try connection.query(delayed ? QueueListingSQL.delayed : QueueListingSQL.ready,
                                          [now, queue, current, start.0, start.1, limit - found.count], Self.queued)
            if found.count >= limit { break }
            priority = try connection.queryFirst(QueueListingSQL.nextPriority, [queue, current]) { $0.int(0) }
            cursor = nil
        }
        return found
    }
}
