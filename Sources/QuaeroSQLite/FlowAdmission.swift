import QuaeroQueue

/// What one claim lets through, as the store protocol's flow rules say (see `StoreTransaction`): the
/// paused types, and for each candidate with limits, its key's and type's messages in flight (all of them read
/// at the first such candidate of the claim) and its key's next start, counted on as the claim leases.
///
/// A candidate that a limit holds back is passed over; its key (or type) joins the exclusions, so the next
/// look at the candidates leaves all of its messages out and finds those of other keys: no claim-then-
/// release, and no key starves another.
struct FlowAdmission {
    /// The messages with limits held by a current lease: by key, and by type of this queue for the types with a
    /// max_in_flight.
    private struct InFlight {
        var keys: [String: Int] = [:]
        var types: [String: Int] = [:]
    }

    let transaction: SQLiteTransaction
    let queue: String
    private(set) var excludedTypes: Set<String>
    private(set) var excludedKeys: Set<String> = []
    /// Read at the first candidate with limits, then counted on as the claim leases.
    private var inFlight: InFlight?
    /// Each key's next start (nil: none yet), read at the first of its candidates that its max_in_flight lets through.
    private var nextStarts: [String: Int64?] = [:]
    /// Whether a candidate was passed over for a limit.
    private(set) var heldBack = false
    /// The earliest next start of a key passed over for its rate.
    private(set) var rateLimitedUntil: Int64?

    init(transaction: SQLiteTransaction, queue: String, pausedTypes: Set<String>) {
        self.transaction = transaction
        self.queue = queue
        self.excludedTypes = pausedTypes
    }

    /// Whether the candidates must be read with exclusions.
    var excludes: Bool { !excludedTypes.isEmpty || !excludedKeys.isEmpty }

    func excludedTypesJSON() throws -> SQLValue {
        excludedTypes.isEmpty ? .null : .text(try SQLiteTransaction.jsonArray(excludedTypes))
    }

    func excludedKeysJSON() throws -> SQLValue {
        excludedKeys.isEmpty ? .null : .text(try SQLiteTransaction.jsonArray(excludedKeys))
    }

    /// The limits of a candidate row whose limit columns start at `column`; nil when it has none.
    static func limits(_ row: Row, from column: Int32) -> MessageLimits? {
        let key = row.optionalText(column)
        let typeMax = row.optionalInt64(column + 3)
        guard key != nil || typeMax != nil else { return nil }
        return MessageLimits(key: key, maxInFlight: row.optionalInt64(column + 1).map(Int.init),
                             interval: row.optionalInt64(column + 2).map { .milliseconds($0) },
                             typeMaxInFlight: typeMax.map(Int.init))
    }

    /// Whether a candidate of `type` with `limits` may be leased now; when it may, it is counted as leased
    /// (and its key's next start moved on).
    mutating func admit(type: String?, _ limits: MessageLimits, now: Int64) throws -> Bool {
        let admitted = try check(type: type, limits, now: now)
        if !admitted { heldBack = true }
        return admitted
    }

    private mutating func check(type: String?, _ limits: MessageLimits, now: Int64) throws -> Bool {
        if let type, excludedTypes.contains(type) { return false }
        if let key = limits.key, excludedKeys.contains(key) { return false }
        // Taken out and put back, so that the counts below change in place.
        var counts = try inFlight.take() ?? readInFlight(now: now)
        defer { inFlight = counts }
        if let typeMax = limits.typeMaxInFlight, let type, counts.types[type, default: 0] >= typeMax {
            excludedTypes.insert(type)
            return false
        }
        if let key = limits.key {
            if let max = limits.maxInFlight, counts.keys[key, default: 0] >= max {
                excludedKeys.insert(key)
                return false
            }
            let nextStart: Int64?
            if let known = nextStarts[key] {
                nextStart = known
            } else {
                nextStart = try transaction.connection.queryFirst(FlowSQL.nextStart, [key]) { $0.int64(0) }
                nextStarts[key] = nextStart
            }
            if limits.interval != nil, let next = nextStart, next > now {
                excludedKeys.insert(key)
                rateLimitedUntil = min(rateLimitedUntil ?? next, next)
                return false
            }
            if let interval = limits.interval?.milliseconds {
                // On schedule when the previous start was due less than one interval ago (the rate holds
                // on average, however late each claim comes); from now when the key was idle (no burst).
                let next = nextStart.map { now - $0 < interval ? $0 + interval : now + interval } ?? now + interval
                nextStarts[key] = next
                try transaction.connection.execute(FlowSQL.setNextStart, [key, next])
            }
            counts.keys[key, default: 0] += 1
        }
        if limits.typeMaxInFlight != nil, let type { counts.types[type, default: 0] += 1 }
        return true
    }

    /// The messages with limits held by a current lease (`FlowSQL.limitedInFlight`).
    private func readInFlight(now: Int64) throws -> InFlight {
        var counts = InFlight()
        try transaction.connection.query(FlowSQL.limitedInFlight, [now]) { row in
            if let key = row.optionalText(2) { counts.keys[key, default: 0] += 1 }
            if row.int(3) != 0, row.text(0) == queue, let type = row.optionalText(1) { counts.types[type, default: 0] += 1 }
        }
        return counts
    }
}
