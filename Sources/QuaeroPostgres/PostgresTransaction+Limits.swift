import QuaeroQueue

/// A delivery of a claim whose message has limits (DESIGN §8), as the claim statement returned it.
struct LimitedDelivery {
    let receipt: Receipt
    let jobID: String?
    let type: String?
    let key: String?
    let maxInFlight: Int64?
    let interval: Int64?
    let typeMax: Int64?

    /// The limits of a delivered row of the claim statement (columns 11…14); nil when it has none.
    init?(_ row: PostgresColumns, receipt: Receipt, type: String?, jobID: String?) throws {
        key = try row.optionalText(11)
        typeMax = try row.optionalInt64(14)
        guard key != nil || typeMax != nil else { return nil }
        maxInFlight = try row.optionalInt64(12)
        interval = try row.optionalInt64(13)
        self.receipt = receipt
        self.type = type
        self.jobID = jobID
    }
}

/// The claims of several processes at once, under their limits.
///
/// The claim statement counts a key's (or a type's) messages in flight in its own snapshot, so two claims that
/// run at once (each locking different rows, SKIP LOCKED) can both see the key's last slot free. Once the
/// claim is done, its limited deliveries are settled: transaction-scoped advisory locks on their keys and
/// types (PostgreSQL docs, "Advisory Locks"), taken in sorted order and held until commit, make the settling
/// claims of one key take turns; the counts are then read in a new statement, whose snapshot (READ COMMITTED)
/// includes every claim that settled and committed before, and this one's own deliveries. What a limit does
/// not allow goes back untouched. A key's rate is settled by its `limit_keys` row, which the start's upsert
/// locks and re-checks. This costs round trips only for claims that delivered limited messages; with no
/// concurrent claim of the key, nothing is given back.
extension PostgresTransaction {
    /// Settles `limited` (deliveries of this transaction's claim in `queue`); returns the receipts given back.
    func settleLimits(_ limited: [LimitedDelivery], queue: String) async throws -> Set<Receipt> {
        let capped = limited.filter { $0.key != nil && $0.maxInFlight != nil }
        let typed = limited.filter { $0.type != nil && $0.typeMax != nil }
        let locks = Set(capped.map { "quaero.key:" + $0.key! } + typed.map { "quaero.type:\(queue):" + $0.type! }).sorted()
        var undone: [LimitedDelivery] = []
        if !locks.isEmpty {
            _ = try await rows(FlowSQL.LockLimits.self, locks)
            var keyInFlight: [String: Int64] = [:]
            let keys = Set(capped.map { $0.key! }).sorted()
            if !keys.isEmpty {
                for row in try await rows(FlowSQL.KeysInFlight.self, now, keys) { keyInFlight[try row.text(0)] = try row.int64(1) }
            }
            var typeInFlight: [String: Int64] = [:]
            let types = Set(typed.map { $0.type! }).sorted()
            if !types.isEmpty {
                for row in try await rows(FlowSQL.TypesInFlight.self, now, queue, types) { typeInFlight[try row.text(0)] = try row.int64(1) }
            }
            // The counts include this claim's deliveries: the excess of each key (and type) goes back, the
            // latest deliveries first.
            for delivery in limited.reversed() where !undone.contains(where: { $0.receipt == delivery.receipt }) {
                if let key = delivery.key, let max = delivery.maxInFlight, keyInFlight[key, default: 0] > max {
                    undone.append(delivery)
                } else if let type = delivery.type, let max = delivery.typeMax, typeInFlight[type, default: 0] > max {
                    undone.append(delivery)
                } else {
                    continue
                }
                if let key = delivery.key { keyInFlight[key, default: 0] -= 1 }
                if let type = delivery.type, delivery.typeMax != nil { typeInFlight[type, default: 0] -= 1 }
            }
        }
        // A rate starts a key once per claim (the claim leaves a started key out of its next looks).
        var paced: [String: LimitedDelivery] = [:]
        for delivery in limited where delivery.key != nil && delivery.interval != nil && !undone.contains(where: { $0.receipt == delivery.receipt }) {
            if paced[delivery.key!] == nil { paced[delivery.key!] = delivery } else { undone.append(delivery) }
        }
        if !paced.isEmpty {
            let keys = paced.keys.sorted()
            let started = Set(try await rows(FlowSQL.StartKeys.self, now, keys, keys.map { paced[$0]!.interval! }).map { try $0.text(0) })
            undone += keys.filter { !started.contains($0) }.map { paced[$0]! }
        }
        guard !undone.isEmpty else { return [] }
        let jobs = try await rows(FlowSQL.Unclaim.self, undone.map(\.receipt.messageID), undone.map(\.receipt.lease))
            .compactMap { try $0.optionalText(0) }
        for job in jobs where undone.contains(where: { $0.jobID == job }) { try await snoozeJob(job) }
        return Set(undone.map(\.receipt))
    }
}
