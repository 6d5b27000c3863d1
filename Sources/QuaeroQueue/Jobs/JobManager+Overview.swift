/// What a dashboard's overview reads, each in time that does not grow with the number of jobs.
extension JobManager {
    /// Jobs completed and failed in each of the last `minutes` minutes (the current one last), from counters
    /// kept as jobs end; a minute without an end is there with zeros.
    ///
    /// - Throws: `invalidArgument` for a number of minutes outside 1...1440 (the counters keep a day).
    public func endsPerMinute(last minutes: Int = 60) async throws -> [JobMinuteCounts] {
        guard (1...1440).contains(minutes) else {
            throw QuaeroError(.invalidArgument, "the counters of job ends keep 1 to 1440 minutes, not \(minutes)")
        }
        let now = queue.clock.nowMillis() / 60_000
        let first = now - Int64(minutes) + 1
        let stored = try await store.read { reader in try await reader.jobEndsPerMinute(since: first) }
        return JobMinuteCounts.filled(stored, from: first, through: now)
    }

    /// How many deliveries each worker pool holds now (its slots in use); pools holding none are absent.
    public func leaseCounts() async throws -> [Int64: Int] {
        try await store.read { [name = queue.name] reader in try await reader.leaseCounts(queue: name) }
    }

    /// The size of the database in bytes, nil when the store cannot tell.
    public func storageSize() async throws -> Int64? {
        try await store.read { reader in try await reader.storageSize() }
    }

    /// Puts back every dead letter (of `type`, or of any type when nil) that is dead now, a page of `chunk` at
    /// a time, each page in its own transaction with the revival of its failed jobs (so other writers get turns
    /// between pages). A message that dies again meanwhile is not put back twice. Returns how many were put back.
    @discardableResult
    public func requeueDeadLetters(ofType type: String?, chunk: Int = 500) async throws -> Int {
        var after: DeadLetterCursor?
        var total = 0
        while true {
            let page = try await queue.deadLetters(type: type, after: after, limit: max(1, chunk))
            guard let last = page.last else { return total }
            total += try await requeueDeadLetters(page.map(\.id)).count
            after = DeadLetterCursor(last)
        }
    }
}
