/// Pausing a queue (or one type in it), and its bound (`maxReady`).
extension Queue {
    /// Pauses the queue, or only its messages of `type`: claims skip them in every process (at once in this
    /// one, within `QueuePause.staleness` in others); what runs finishes; sends still land. Returns whether
    /// it was not paused before.
    @discardableResult
    public func pause(type: String? = nil) async throws -> Bool {
        try Self.validate(pauseType: type)
        return try await store.write { [name] tx in try await tx.setPaused(true, queue: name, type: type) }
    }

    /// Resumes the queue (its messages of `type` only, when given; a type paused on its own stays paused when
    /// the queue resumes); consumers in this process look for work at once. Returns whether it was paused.
    @discardableResult
    public func resume(type: String? = nil) async throws -> Bool {
        try Self.validate(pauseType: type)
        return try await store.write { [name] tx in try await tx.setPaused(false, queue: name, type: type) }
    }

    /// What of the queue is paused.
    public func pauses() async throws -> QueuePause {
        try await store.read { [name] reader in try await reader.pauses(queue: name) }
    }

    private static func validate(pauseType type: String?) throws {
        if let type, type.isEmpty {
            throw QuaeroError(.invalidArgument, "the type to pause is empty; omit it to pause the whole queue")
        }
    }

    /// Refuses a send when the queue holds `maxReady` ready messages.
    ///
    /// - Throws: `queueFull`.
    func checkRoom(in tx: any StoreReader, adding count: Int = 1) async throws {
        guard let maxReady = options.maxReady else { return }
        let ready = try await tx.readyCount(queue: name, limit: maxReady)
        guard ready + count <= maxReady else {
            throw QuaeroError(.queueFull,
                "queue \(name) holds \(ready) ready messages and max_ready is \(maxReady); the send of \(count) was refused, nothing was stored; try again once workers have caught up")
        }
    }
}
