import Logging
public import QuaeroQueue

/// The single operations, each one statement that commits by itself (no BEGIN and COMMIT around it), and the
/// store's maintenance.
extension PostgresStore {
    /// Sends `message` in one statement that commits by itself, shared with the sends to `queue` that other
    /// tasks on the caller's thread ask for at the same moment (`sends`).
    public func send(_ message: NewMessage, queue: String) async throws -> SentMessage {
        try await sends.submit(message, group: queue, on: pool.currentThread()) { [self] queue, messages in
            try await autocommit { try await $0.send(messages, queue: queue) }
        }
    }

    /// Receives in one statement that commits by itself, shared with the receives of the same kind (queue,
    /// owner, visibility, max receive, no filter) that other tasks on the caller's thread ask for at the same
    /// moment (`receives`): one claim of all their limits, its messages dealt out in order.
    public func receive(_ request: ReceiveRequest) async throws -> Delivery {
        let group = request.sharedClaimGroup
        return try await receives.submit(request, group: group ?? .alone, on: group == nil ? nil : pool.currentThread()) { [self] _, requests in
            var combined = requests[0]
            combined.limit = requests.reduce(0) { $0 + $1.limit }
            let claim = combined
            return try await autocommit { try await $0.receive(claim) }.dealt(to: requests)
        }
    }

    public func extend(_ receipt: Receipt, by duration: Duration) async throws -> Bool {
        try await autocommit { try await $0.extendOne(receipt, by: duration) }
    }

    /// Acks `receipt` in one statement that commits by itself, shared with the acks that other tasks on the
    /// caller's thread ask for at the same moment (`acks`).
    public func delete(_ receipt: Receipt) async throws -> Bool {
        try await acks.submit(receipt, group: 0, on: pool.currentThread()) { [self] _, receipts in
            let current = try await autocommit { try await $0.delete(receipts) }
            // A receipt asked for twice at once is acked once, as one after the other would be.
            var answered: Set<Receipt> = []
            return receipts.map { current.contains($0) && answered.insert($0).inserted }
        }
    }

    /// Acks `receipts` in one statement that commits by itself (no BEGIN and COMMIT around it), each fenced by
    /// its lease; returns the receipts that were current.
    public func delete(_ receipts: [Receipt]) async throws -> Set<Receipt> {
        try await autocommit { try await $0.delete(receipts) }
    }

    public func release(_ receipt: Receipt, after delay: Duration, error: String?, maxReceive: Int) async throws -> ReleaseOutcome? {
        try await autocommit { try await $0.release(receipt, after: delay, error: error, maxReceive: maxReceive) }
    }

    public func deadLetter(_ receipt: Receipt, reason: String) async throws -> Bool {
        try await autocommit { try await $0.deadLetter(receipt, reason: reason) }
    }

    /// The tables every claim, ack and heartbeat rewrites.
    static let hotTables = ["messages", "worker_pools", "leader_leases"]

    /// Vacuums the hot tables (`VACUUM (SKIP_LOCKED)`: a table another vacuum holds is skipped, not waited
    /// for). With default autovacuum, receive+delete fell from 3.9k/s to 1.4k/s within a minute of a 600k
    /// backlog here, as dead index entries piled up at the head of the claim's index; with a VACUUM every 5 s
    /// it held 4.5–5k/s (../shared/bench/README.md). The leader runs it every `vacuumInterval`.
    public func maintain() async throws {
        try await withConnection { connection in
            // VACUUM cannot run inside a transaction block: one statement each, on a pooled connection.
            for table in Self.hotTables { try await connection.awaitSimple("VACUUM (SKIP_LOCKED) \(table)") }
        }
    }
}

extension PostgresStore {
    /// The highest version of each migration chain recorded in the database.
    public func schemaVersions() async throws -> [String: Int] {
        try await read { reader in
            var versions: [String: Int] = [:]
            for row in try await (reader as! PostgresTransaction).rows(SchemaVersions.self) {
                versions[try row.text(0)] = try row.int(1)
            }
            return versions
        }
    }

    private enum SchemaVersions: PostgresSQL {
        static let sql = "SELECT chain, max(version) FROM schema_migrations GROUP BY chain"
    }
}

extension ReceiveRequest {
    /// What the receives that share a claim have in common.
    struct ClaimGroup: Hashable, Sendable {
        let queue: String
        let owner: Int64?
        let visibility: Duration
        let maxReceive: Int

        /// The group of a request that claims alone.
        static let alone = ClaimGroup(queue: "", owner: nil, visibility: .zero, maxReceive: 0)
    }

    /// The receives this one may share a claim with; nil for a request with a filter or a worker's record, which
    /// claims alone.
    var sharedClaimGroup: ClaimGroup? {
        guard types == nil, (excludedTypes ?? []).isEmpty, maxReceiveByType.isEmpty, worker == nil, leaving == nil else { return nil }
        return ClaimGroup(queue: queue, owner: owner, visibility: visibility, maxReceive: maxReceive)
    }
}

extension Delivery {
    /// The delivery of one claim for `requests` dealt out in their order, each its limit's share of the messages
    /// (best first). What the claim met on its way is told to the first (its dead letters) or to all (the limits
    /// that held messages back).
    func dealt(to requests: [ReceiveRequest]) -> [Delivery] {
        var left = messages[...]
        return requests.enumerated().map { position, request in
            let share = left.prefix(request.limit)
            left = left.dropFirst(share.count)
            return Delivery(messages: Array(share), exhausted: position == 0 ? exhausted : [], heldBack: heldBack,
                            rateLimitedUntil: rateLimitedUntil)
        }
    }
}
