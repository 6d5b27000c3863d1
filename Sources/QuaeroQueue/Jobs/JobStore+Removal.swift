/// Cancelling and deleting jobs with their descendants.
extension JobStore {
    private struct Node {
        let id: String
        let parentID: String?
        let type: JobType
        let status: JobStatus
        let messageID: MessageID?
        let attempts: Int
    }

    private func subtree(of id: String, in connection: Connection) throws -> [Node] {
        let nodes = try connection.query(JobSQL.subtree, [id]) { row in
            Node(id: row.text(0), parentID: row.optionalText(1), type: JobType(row.text(2)),
                 status: JobStatus(rawValue: row.text(3)) ?? .failed, messageID: row.optionalInt64(4), attempts: row.int(5))
        }
        guard !nodes.isEmpty else {
            throw QuaeroError(.notFound, "job \(id) does not exist; list jobs with `quaero jobs list`")
        }
        return nodes
    }

    /// Cancels `id` and its unfinished descendants: their queued and leased messages are deleted (a worker
    /// running one loses its lease) and their records marked cancelled. Returns the ids cancelled and the events.
    ///
    /// - Throws: `notFound`; `conflict` when the job already ended.
    func cancel(_ id: String, in connection: Connection) throws -> ([String], [JobEvent]) {
        let nodes = try subtree(of: id, in: connection)
        let root = nodes.first { $0.id == id }!
        if root.status.isTerminal {
            throw QuaeroError(.conflict, "job \(id) already ended (\(root.status)); only pending or running jobs can be cancelled")
        }
        let now = clock.nowMillis()
        var cancelled: [String] = []
        var events: [JobEvent] = []
        for node in nodes where !node.status.isTerminal {
            if let messageID = node.messageID { try connection.execute(JobSQL.deleteMessage, [messageID]) }
            try connection.execute(JobSQL.cancelOne, [node.id, now])
            cancelled.append(node.id)
            events.append(JobEvent(kind: .cancelled, jobID: node.id, type: node.type, parentID: node.parentID,
                                   status: .cancelled, attempt: node.attempts, message: "cancelled", at: now))
        }
        events += try endChild(of: root.parentID, failed: true, now: now, in: connection)
        return (cancelled, events)
    }

    /// Deletes `id`, its descendants (with their logs, by cascade) and their messages, and uncounts it on its
    /// parent. Returns the ids that were unfinished (their running handlers must stop).
    func delete(_ id: String, in connection: Connection) throws -> ([String], [JobEvent]) {
        let nodes = try subtree(of: id, in: connection)
        let root = nodes.first { $0.id == id }!
        for node in nodes {
            if let messageID = node.messageID { try connection.execute(JobSQL.deleteMessage, [messageID]) }
        }
        try connection.execute(JobSQL.delete, [id])
        var events: [JobEvent] = []
        if let parentID = root.parentID {
            let ended = root.status.isTerminal
            let bad = root.status == .failed || root.status == .cancelled
            let now = clock.nowMillis()
            try connection.execute(JobSQL.uncountChild, [parentID, ended ? 1 : 0, bad ? 1 : 0, now])
            events = try settle(parentID, now: now, in: connection)
        }
        return (nodes.filter { !$0.status.isTerminal }.map(\.id), events)
    }
}
