import QuaeroQueue

/// What one claim lets through, as the store protocol's flow rules say (see `StoreTransaction`): the
/// paused types, and for each candidate with limits, its key's and type's messages in flight (all of them read
/// at the first such candidate of the claim) and its key's next start, counted on as the claim leases.
///
/// A candidate that a limit holds back is passed over; its key (or type) joins the exclusions, so the next
/// look at the candidates leaves all of its messages out and finds those of other keys: no claim-then-
/// release, and no key starves another.
struct FlowAdmission {
    private struct KeyState {
        var inFlight: Int
        var nextStart: Int64?
    }

    let transaction: SQLiteTransaction
    let queue: String
    private(set) var excludedTypes: Set<String>
    private(set) var excludedKeys: Set<String> = []
    private var keys: [String: KeyState] = [:]
    /// The messages with limits in flight, by key and by type of this queue; read at the first candidate with limits.
    private var inFlight: (keys: [String: Int], types: [String: Int])?
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
        let inFlight = try self.inFlight ?? readInFlight(now: now)
        self.inFlight = inFlight
        if let typeMax = limits.typeMaxInFlight, let type {
            guard inFlight.types[type, default: 0] < typeMax else {
                excludedTypes.insert(type)
                return false
            }
        }
        if let key = limits.key {
            var state = try keys[key] ?? KeyState(
                inFlight: inFlight.keys[key, default: 0],
                nextStart: transaction.connection.queryFirst(FlowSQL.nextStart, [key]) { $0.int64(0) })
            keys[key] = state
            if let max = limits.maxInFlight, state.inFlight >= max {
                excludedKeys.insert(key)
                return false
            }
            if limits.interval != nil, let next = state.nextStart, next > now {
                excludedKeys.insert(key)
                rateLimitedUntil = min(rateLimitedUntil ?? next, next)
                return false
            }
            state.inFlight += 1
            if let interval = limits.interval?.milliseconds {
                // On schedule when the previous start was due less than one interval ago (the rate holds
                // on average, however late each claim comes); from now when the key was idle (no burst).
                let next = state.nextStart.map { now - $0 < interval ? $0 + interval : now + interval } ?? now + interval
                state.nextStart = next
                try transaction.connection.execute(FlowSQL.setNextStart, [key, next])
            }
            keys[key] = state
        }
        if limits.typeMaxInFlight != nil, let type { self.inFlight?.types[type, default: 0] += 1 }
        return true
    }

    /// The messages with limits held by a current lease, counted by key, and by type of this queue for the types
    /// with a max_in_flight.
    private func readInFlight(now: Int64) throws -> (keys: [String: Int], types: [String: Int]) {
        var counts: (keys: [String: Int], types: [String: Int]) = ([:], [:])
        try transaction.connection.query(FlowSQL.limitedInFlight, [now]) { row in
            if let key = row.optionalText(2) { counts.keys[key, default: 0] += 1 }
            if row.int(3) != 0, row.text(0) == queue, let type = row.optionalText(1) { counts.types[type, default: 0] += 1 }
        }
        return counts
    }
}
