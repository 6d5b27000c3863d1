import Logging
public import QuaeroQueue

/// The single operations, each one statement that commits by itself (no BEGIN and COMMIT around it), and the
/// store's maintenance.
extension PostgresStore {
    public func send(_ message: NewMessage, queue: String) async throws -> SentMessage {
        try await autocommit { try await $0.sendOne(message, queue: queue) }
    }

    public func receive(_ request: ReceiveRequest) async throws -> Delivery {
        try await autocommit { try await $0.receive(request) }
    }

    public func extend(_ receipt: Receipt, by duration: Duration) async throws -> Bool {
        try await autocommit { try await $0.extendOne(receipt, by: duration) }
    }

    public func delete(_ receipt: Receipt) async throws -> Bool {
        try await autocommit { try await !$0.delete([receipt]).isEmpty }
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
            try await connection.run { connection in
                for table in Self.hotTables { try connection.simple("VACUUM (SKIP_LOCKED) \(table)") }
            }
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
