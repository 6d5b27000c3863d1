/// Cancelling and deleting jobs with their descendants.
extension JobEngine {
    private func tree(of id: String, in tx: any StoreTransaction) async throws -> (root: JobNode, nodes: [JobNode]) {
        let nodes = try await tx.jobTree(of: id)
        guard let root = nodes.first(where: { $0.id == id }) else {
            throw QuaeroError(.notFound, "job \(id) does not exist; list jobs with `quaero jobs list`")
        }
        return (root, nodes)
    }

    /// Cancels `id` and its unfinished descendants: their queued and leased messages are deleted (a worker
    /// running one loses its lease) and their records marked cancelled. Returns the ids cancelled and the events.
    ///
    /// - Throws: `notFound`; `conflict` when the job already ended.
    func cancel(_ id: String, in tx: any StoreTransaction) async throws -> ([String], [JobEvent]) {
        let (root, nodes) = try await tree(of: id, in: tx)
        if root.status.isTerminal {
            throw QuaeroError(.conflict, "job \(id) already ended (\(root.status)); only pending or running jobs can be cancelled")
        }
        let unfinished = nodes.filter { !$0.status.isTerminal }
        try await tx.deleteMessages(unfinished.compactMap(\.messageID))
        let now = clock.nowMillis()
        var cancelled: [String] = []
        var events: [JobEvent] = []
        for node in unfinished where try await tx.cancelJob(node.id) {
            cancelled.append(node.id)
            events.append(JobEvent(kind: .cancelled, jobID: node.id, type: node.type, parentID: node.parentID,
                                   status: .cancelled, attempt: node.attempts, message: "cancelled", at: now))
        }
        events += try await endChild(of: root.parentID, failed: true, in: tx)
        return (cancelled, events)
    }

    /// Deletes `id`, its descendants (with their logs) and their messages, and uncounts it on its parent.
    /// Returns the ids that were unfinished (their running handlers must stop).
    func delete(_ id: String, in tx: any StoreTransaction) async throws -> ([String], [JobEvent]) {
        let (root, nodes) = try await tree(of: id, in: tx)
        try await tx.deleteMessages(nodes.compactMap(\.messageID))
        try await tx.deleteJob(id)
        var events: [JobEvent] = []
        if let parentID = root.parentID {
            try await tx.uncountChild(of: parentID, ended: root.status.isTerminal,
                                      failed: root.status == .failed || root.status == .cancelled)
            events = try await settle(parentID, in: tx)
        }
        return (nodes.filter { !$0.status.isTerminal }.map(\.id), events)
    }
}
