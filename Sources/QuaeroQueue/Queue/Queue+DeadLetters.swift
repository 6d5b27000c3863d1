extension Queue {
    /// Dead letters of this queue, oldest first.
    public func deadLetters(limit: Int = 100, offset: Int = 0) async throws -> [DeadLetter] {
        guard limit >= 1, offset >= 0 else {
            throw QuaeroError(.invalidArgument, "dead letter paging needs limit ≥ 1 and offset ≥ 0, got \(limit) and \(offset)")
        }
        return try await store.read { [name] reader in try await reader.deadLetters(queue: name, limit: limit, offset: offset) }
    }

    /// Dead letters newest first (when they died, then id), of `type` or of every type, a keyset page at a
    /// time: pass the cursor of the previous page's last letter as `after`.
    ///
    /// - Throws: `invalidArgument` for a limit outside 1...1000.
    public func deadLetters(type: String? = nil, after: DeadLetterCursor? = nil, limit: Int = 50) async throws -> [DeadLetter] {
        guard (1...1000).contains(limit) else {
            throw QuaeroError(.invalidArgument, "a page of dead letters holds 1 to 1000, not \(limit)")
        }
        let query = DeadLetterQuery(queue: name, type: type, after: after, limit: limit)
        return try await store.read { reader in try await reader.deadLetters(query) }
    }

    /// Puts one dead letter back in the queue with a fresh receive count. (For the messages of jobs, prefer
    /// `JobManager.requeueDeadLetters`, which also runs their jobs again.)
    ///
    /// - Throws: `notFound` when `id` is not a dead letter of this queue.
    public func requeue(_ id: MessageID) async throws {
        try await store.write { [name] tx in
            if try await tx.requeueDeadLetters(queue: name, ids: [id]).isEmpty {
                throw QuaeroError(.notFound, "message \(id) is not a dead letter of queue \(name); list them with `quaero queue dead`")
            }
        }
    }

    /// Puts every dead letter of this queue back with a fresh receive count; returns how many.
    @discardableResult
    public func requeueAllDeadLetters() async throws -> Int {
        try await store.write { [name] tx in try await tx.requeueDeadLetters(queue: name, ids: nil).count }
    }

    /// Deletes dead letters that died at least `age` ago (all of them by default); returns how many.
    @discardableResult
    public func purgeDeadLetters(olderThan age: Duration = .zero) async throws -> Int {
        try await store.write { [name] tx in try await tx.purgeDeadLetters(queue: name, olderThan: age) }
    }

    /// Deletes every live message of this queue (ready, delayed and in flight; not dead letters).
    @discardableResult
    public func purge() async throws -> Int {
        try await store.write { [name] tx in try await tx.purgeMessages(queue: name) }
    }

    /// Counts of messages by state, in total and per type, and the age of the oldest ready one.
    public func stats() async throws -> QueueStats {
        try await store.read { [name] reader in try await reader.queueStats(queue: name) }
    }
}
