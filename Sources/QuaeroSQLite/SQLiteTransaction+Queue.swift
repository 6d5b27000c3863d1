import Foundation
public import QuaeroQueue

/// Messages: send, receive, leases, dead letters and stats.
extension SQLiteTransaction {
    public func send(_ messages: [NewMessage], queue: String) async throws -> [SentMessage] {
        try sendNow(messages, queue: queue)
    }

    /// `send` of many messages, synchronously: runs of `QueueSQL.sendRows` plain messages (no dedup key, no
    /// limits: nothing can conflict) go in one multi-row INSERT each, the rest one by one.
    func sendNow(_ messages: [NewMessage], queue: String) throws -> [SentMessage] {
        var sent: [SentMessage] = []
        sent.reserveCapacity(messages.count)
        var start = messages.startIndex
        while start < messages.endIndex {
            let end = min(start + QueueSQL.sendRows, messages.endIndex)
            if end - start == QueueSQL.sendRows, messages[start..<end].allSatisfy(\.isPlain) {
                try sendRows(messages[start..<end], queue: queue, into: &sent)
                start = end
            } else {
                sent.append(try sendNow(messages[start], queue: queue))
                start += 1
            }
        }
        return sent
    }

    /// Sends `QueueSQL.sendRows` plain messages with one statement (`QueueSQL.sendMany`).
    ///
    /// One statement per message ran each row through the statement's setup (a cursor on the table and on each
    /// of its five indexes, step, reset) and our binding code: measured in `send_batch_per_s`.
    /// The ids: a row inserted without a rowid gets "one larger than the largest ROWID in the table prior to the
    /// insert" (https://sqlite.org/autoinc.html), row after row, so the rows of one statement get consecutive
    /// ids ending at the last insert rowid (the exception, a table whose largest rowid is 2^63−1, would take
    /// 292,000 years of a million messages a second).
    private func sendRows(_ messages: ArraySlice<NewMessage>, queue: String, into sent: inout [SentMessage]) throws {
        let now = clock.nowMillis()
        let stmt = try connection.prepare(QueueSQL.sendMany)
        stmt.bind(2, now)
        for (row, new) in zip(0..., messages) {
            let first = Int32(3 + row * QueueSQL.sendManyColumns)
            let message = new.message
            stmt.bind(first, message.type.sqlValue)
            stmt.bind(first + 2, Int64(message.priority))
            stmt.bind(first + 3, now + message.delay.milliseconds)
            stmt.bind(first + 4, new.jobID.sqlValue)
        }
        // The name and bodies are bound without copies: all outlive the step, and `run` resets.
        try queue.withCString { name in
            stmt.bindNoCopy(1, text: name)
            try Self.bindingBodies(of: messages, from: messages.startIndex, to: stmt) { try stmt.run() }
        }
        let last = connection.lastInsertRowID
        let first = last - Int64(messages.count) + 1
        for (id, new) in zip(first..., messages) { sent.append(SentMessage(id: id, stored: true, jobID: new.jobID)) }
        let signals = signals
        connection.afterCommit(once: queue) { signals.post(queue: queue) }
    }

    /// Binds the body of each message from `index` on (the second parameter of its row in `QueueSQL.sendMany`)
    /// without copying it, then runs `body` while all of them are still valid.
    private static func bindingBodies(of messages: ArraySlice<NewMessage>, from index: Int, to stmt: Statement,
                                      _ body: () throws -> Void) throws {
        guard index < messages.endIndex else { return try body() }
        try messages[index].message.body.withUnsafeBytes { bytes in
            stmt.bindNoCopy(Int32(4 + (index - messages.startIndex) * QueueSQL.sendManyColumns), blob: bytes)
            try bindingBodies(of: messages, from: index + 1, to: stmt, body)
        }
    }

    /// `send` of one message, synchronously.
    func sendNow(_ new: NewMessage, queue: String) throws -> SentMessage {
        let now = clock.nowMillis()
        let message = new.message
        let stmt = try connection.prepare(new.limits != nil ? QueueSQL.sendLimited : message.key == nil ? QueueSQL.send : QueueSQL.sendWithKey)
        stmt.bind(2, message.type.sqlValue)
        stmt.bind(4, Int64(message.priority))
        stmt.bind(5, now + message.delay.milliseconds)
        stmt.bind(6, message.key.sqlValue)
        stmt.bind(7, now)
        stmt.bind(8, new.jobID.sqlValue)
        if let limits = new.limits {
            stmt.bind(9, limits.key.sqlValue)
            stmt.bind(10, limits.maxInFlight.map { Int64($0) }.sqlValue)
            stmt.bind(11, limits.interval.map { max(1, $0.milliseconds) }.sqlValue)
            stmt.bind(12, limits.typeMaxInFlight.map { Int64($0) }.sqlValue)
        }
        // The name and body are bound without copies: both outlive the step, and `run` resets.
        try queue.withCString { name in
            try message.body.withUnsafeBytes { body in
                stmt.bindNoCopy(1, text: name)
                stmt.bindNoCopy(3, blob: body)
                try stmt.run()
            }
        }
        guard connection.changes == 1 else {
            // The key is taken: answer the message that holds it.
            let holder = try connection.queryFirst(QueueSQL.findByKey, [queue, message.key]) { ($0.int64(0), $0.optionalText(1)) }!
            return SentMessage(id: holder.0, stored: false, jobID: holder.1)
        }
        let signals = signals
        connection.afterCommit(once: queue) { signals.post(queue: queue) }
        return SentMessage(id: connection.lastInsertRowID, stored: true, jobID: new.jobID)
    }

    public func receive(_ request: ReceiveRequest) async throws -> Delivery {
        try receiveNow(request)
    }

    /// `receive`, synchronously (the claim runs it too): walks the candidates best first, dead-letters the
    /// exhausted ones, skips what pauses and limits do not allow (see `FlowAdmission`), and leases the rest.
    func receiveNow(_ request: ReceiveRequest) throws -> Delivery {
        let pause = try pauses.value(for: request.queue) { try readPauses(request.queue) }
        if pause.queue { return Delivery() }
        var delivery = Delivery()
        let now = clock.nowMillis()
        // The types left to remote workers are left out as the paused ones are: a pool's from the announcements
        // live now (read again when the first of them expires; PostgreSQL decides inside its claim statement).
        var excluded = pause.types.union(request.excludedTypes ?? [])
        if let leaving = request.leaving {
            excluded.formUnion(leaving.leftOut(live: try remoteTypes.value(for: 0, isCurrent: { now < $0.firstExpiry }) {
                try readLiveRemoteTypes(at: now)
            }.types))
        }
        var flow = FlowAdmission(transaction: self, queue: request.queue, pausedTypes: excluded)
        let leasedUntil = now + request.visibility.milliseconds
        let types = try request.types.map { try Self.jsonArray($0) }
        while delivery.messages.count < request.limit {
            let asked = request.limit - delivery.messages.count
            // Without exclusions, the statements of a plain receive: nothing is paused and no limit bit yet.
            let candidates = try connection.prepare(flow.excludes ? QueueSQL.candidatesExcluding
                                                    : request.types == nil ? QueueSQL.candidates : QueueSQL.candidatesOfTypes)
            candidates.bind(2, now)
            candidates.bind(3, Int64(asked))
            if flow.excludes || types != nil { candidates.bind(4, types.map(SQLValue.text) ?? .null) }
            if flow.excludes {
                candidates.bind(5, try flow.excludedTypesJSON())
                candidates.bind(6, try flow.excludedKeysJSON())
            }
            let rows = try request.queue.withCString { name in
                candidates.bindNoCopy(1, text: name)
                return try candidates.rows(Candidate.init)
            }
            var passedOver = 0
            for row in rows {
                let maxReceive = request.maxReceive(of: row.type)
                guard row.received < maxReceive else {
                    // Its last delivery's lease expired without a delete, release or dead letter: its worker
                    // died or hung. Never deliver it again.
                    let reason = "delivered \(row.received) times (max_receive \(maxReceive)) without being deleted"
                        + (row.lastError.map { "; last error: \($0)" } ?? "; the last lease expired")
                    try connection.execute(QueueSQL.deadLetterExhausted, [row.id, now, reason])
                    connection.counters.append(.dead(queue: request.queue, type: row.type ?? "", by: 1))
                    delivery.exhausted.append(ExhaustedMessage(id: row.id, jobID: row.jobID, reason: reason))
                    passedOver += 1
                    continue
                }
                if let limits = row.limits, !(try flow.admit(type: row.type, limits, now: now)) {
                    passedOver += 1
                    continue
                }
                let token = tokens.next()
                let lease = try connection.prepare(row.limits == nil ? QueueSQL.lease : QueueSQL.leaseLimited)
                lease.bind(1, row.id)
                lease.bind(2, token)
                lease.bind(3, request.owner.sqlValue)
                lease.bind(4, leasedUntil)
                try lease.run()
                delivery.messages.append(ReceivedMessage(
                    id: row.id, type: row.type, body: row.body, received: row.received + 1, priority: row.priority,
                    receipt: Receipt(messageID: row.id, lease: token), createdAt: row.createdAt, lastError: row.lastError,
                    jobID: row.jobID))
            }
            // More can be waiting only when some candidates were dead-lettered or skipped instead of delivered
            // (the next look leaves out what was skipped), and the query was not short.
            if passedOver == 0 || rows.count < asked { break }
        }
        delivery.heldBack = flow.heldBack
        delivery.rateLimitedUntil = flow.rateLimitedUntil
        return delivery
    }

    /// A row of `QueueSQL.candidates` (or its variants). A struct, not a tuple: the tuple with an optional
    /// `MessageLimits` was copied through the runtime's generic value witnesses (`tuple_initializeWithCopy`),
    /// about 8 % of a receive's own time in the profile of `receive_delete_per_s`.
    struct Candidate {
        let id: Int64
        let type: String?
        let body: Data
        let received: Int
        let priority: Int
        let createdAt: Int64
        let lastError: String?
        let jobID: String?
        let limits: MessageLimits?

        init(_ row: Row) {
            id = row.int64(0)
            type = row.optionalText(1)
            body = row.data(2)
            received = row.int(3)
            priority = row.int(4)
            createdAt = row.int64(5)
            lastError = row.optionalText(6)
            jobID = row.optionalText(7)
            limits = FlowAdmission.limits(row, from: 8)
        }
    }

    static func jsonArray(_ values: some Collection<String>) throws -> String {
        String(decoding: try JSONEncoder().encode(values.sorted()), as: UTF8.self)
    }

    public func extend(_ receipts: [Receipt], by duration: Duration) async throws -> Set<Receipt> {
        let until = clock.nowMillis() + duration.milliseconds
        return try Set(receipts.filter { try fenced($0, QueueSQL.extend, until) })
    }

    public func markSolo(_ receipts: [Receipt]) async throws -> Set<Receipt> {
        try Set(receipts.filter { try fenced($0, QueueSQL.markSolo) })
    }

    public func delete(_ receipts: [Receipt]) async throws -> Set<Receipt> {
        try Set(receipts.filter { try fenced($0, QueueSQL.delete) })
    }

    /// Runs `sql` (?1 id, ?2 lease, then `extra` as ?3) for `receipt`; returns whether it changed the row
    /// (the delivery was current).
    func fenced(_ receipt: Receipt, _ sql: SQLStatement, _ extra: Int64? = nil) throws -> Bool {
        let stmt = try connection.prepare(sql)
        stmt.bind(1, receipt.messageID)
        stmt.bind(2, receipt.lease)
        if let extra { stmt.bind(3, extra) }
        try stmt.run()
        return connection.changes > 0
    }

    public func release(_ receipt: Receipt, after delay: Duration, error: String?, maxReceive: Int) async throws -> ReleaseOutcome? {
        try releaseNow(receipt, after: delay, error: error, maxReceive: maxReceive)
    }

    /// `release`, synchronously.
    func releaseNow(_ receipt: Receipt, after delay: Duration, error: String?, maxReceive: Int) throws -> ReleaseOutcome? {
        let now = clock.nowMillis()
        let stmt = try connection.prepare(QueueSQL.release)
        stmt.bind([receipt.messageID, receipt.lease, now, now + delay.milliseconds, error, Int64(maxReceive)])
        return try stmt.first { row -> ReleaseOutcome in
            guard row.int64(0) != 0 else { return .requeued }
            connection.counters.append(.dead(queue: row.text(1), type: row.text(2), by: 1))
            return .deadLettered
        }
    }

    public func giveBack(_ receipt: Receipt) async throws -> Bool {
        try connection.execute(QueueSQL.giveBack, [receipt.messageID, receipt.lease, clock.nowMillis()])
        return connection.changes > 0
    }

    public func deadLetter(_ receipt: Receipt, reason: String) async throws -> Bool {
        try deadLetterNow(receipt, reason: reason)
    }

    public func snooze(_ receipt: Receipt, after delay: Duration) async throws -> Bool {
        try connection.execute(QueueSQL.snooze, [receipt.messageID, receipt.lease, clock.nowMillis() + delay.milliseconds])
        return connection.changes > 0
    }

    /// `deadLetter`, synchronously.
    func deadLetterNow(_ receipt: Receipt, reason: String) throws -> Bool {
        let dead = try connection.queryFirst(QueueSQL.deadLetter, [receipt.messageID, receipt.lease, clock.nowMillis(), reason]) {
            (queue: $0.text(0), type: $0.text(1))
        }
        guard let dead else { return false }
        connection.counters.append(.dead(queue: dead.queue, type: dead.type, by: 1))
        return true
    }

    public func deleteMessages(_ ids: [MessageID]) async throws {
        let stmt = try connection.prepare(QueueSQL.deleteAny)
        for id in ids {
            stmt.bind(1, id)
            guard let deleted = try stmt.first({ (queue: $0.text(0), type: $0.text(1), dead: $0.int64(2) != 0) }), deleted.dead
            else { continue }
            connection.counters.append(.dead(queue: deleted.queue, type: deleted.type, by: -1))
        }
    }

    public func requeueDeadLetters(queue: String, ids: [MessageID]?) async throws -> [RequeuedMessage] {
        let now = clock.nowMillis()
        let read = { (row: Row) in
            connection.counters.append(.dead(queue: queue, type: row.text(2), by: -1))
            return RequeuedMessage(id: row.int64(0), jobID: row.optionalText(1))
        }
        guard let ids else { return try connection.query(QueueSQL.requeueAll, [queue, now], read) }
        return try ids.flatMap { id in try connection.query(QueueSQL.requeueOne, [queue, id, now], read) }
    }

    public func purgeDeadLetters(queue: String, olderThan age: Duration) async throws -> Int {
        let cutoff = clock.nowMillis() - age.milliseconds
        let purged = try connection.query(QueueSQL.purgeableDead, [queue, cutoff]) { (type: $0.text(0), count: $0.int(1)) }
        try connection.execute(QueueSQL.purgeDead, [queue, cutoff])
        for (type, count) in purged { connection.counters.append(.dead(queue: queue, type: type, by: -count)) }
        return connection.changes
    }

    public func purgeMessages(queue: String) async throws -> Int {
        try connection.execute(QueueSQL.purgeLive, [queue])
        return connection.changes
    }

    public func queueStats(queue: String) async throws -> QueueStats {
        let now = clock.nowMillis()
        var totals = QueueStats.Counts()
        var byType: [String: QueueStats.Counts] = [:]
        var oldestVisible: Int64?
        try connection.query(QueueSQL.liveStats, [queue, now]) { row in
            var counts = byType[row.text(0)] ?? QueueStats.Counts()
            counts.ready = row.int(1)
            counts.delayed = row.int(2)
            counts.inFlight = row.int(3)
            byType[row.text(0)] = counts
            totals.ready += counts.ready
            totals.delayed += counts.delayed
            totals.inFlight += counts.inFlight
            if let visible = row.optionalInt64(4) { oldestVisible = min(oldestVisible ?? visible, visible) }
        }
        try connection.query(QueueSQL.deadStats, [queue]) { row in
            byType[row.text(0), default: QueueStats.Counts()].dead = row.int(1)
            totals.dead += row.int(1)
        }
        return QueueStats(queue: queue, totals: totals,
                          oldestReadyAgeSeconds: oldestVisible.map { Double(max(0, now - $0)) / 1000 }, byType: byType,
                          paused: try readPauses(queue))
    }

    public func deadLetters(queue: String, limit: Int, offset: Int) async throws -> [DeadLetter] {
        try connection.query(QueueSQL.listDead, [queue, limit, offset], Self.deadLetter)
    }

    public func deadLetters(_ query: DeadLetterQuery) async throws -> [DeadLetter] {
        let after = query.after ?? DeadLetterCursor(deadAt: .max, id: .max)
        let arguments: [any SQLBindable] = [query.queue, after.deadAt, after.id, query.limit]
        guard let type = query.type else { return try connection.query(QueueSQL.deadPage, arguments, Self.deadLetter) }
        return try connection.query(QueueSQL.deadPageOfType, arguments + [type], Self.deadLetter)
    }

    /// Reads a row selected with `QueueSQL.deadColumns`.
    private static func deadLetter(_ row: Row) -> DeadLetter {
        DeadLetter(id: row.int64(0), type: row.optionalText(1), body: row.data(2), received: row.int(3),
                   error: row.optionalText(4), deadAt: row.int64(5), jobID: row.optionalText(6))
    }

    public func leaseCounts(queue: String) async throws -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        try connection.query(QueueSQL.leaseCounts, [queue, clock.nowMillis()]) { counts[$0.int64(0)] = $0.int(1) }
        return counts
    }

    public func storageSize() async throws -> Int64? {
        try connection.queryFirst(QueueSQL.storageSize) { $0.int64(0) }
    }

    public func messages(_ query: MessageQuery) async throws -> [QueuedMessage] {
        let now = clock.nowMillis()
        switch query {
        case .id(let id):
            return try connection.query(QueueSQL.messageByID, [now, id], Self.queued)
        case .job(let jobID):
            return try connection.query(QueueSQL.messageOfJob, [now, jobID], Self.queued)
        case .queue(let queue, let state, let after, let limit):
            return try listQueue(queue, state: state, after: after, limit: limit, now: now)
        }
    }

    static func queued(_ row: Row) -> QueuedMessage {
        QueuedMessage(id: row.int64(0), queue: row.text(1), type: row.optionalText(2), jobID: row.optionalText(3),
                      priority: row.int(4), state: QueuedMessage.State(rawValue: row.text(5)) ?? .ready,
                      visibleAt: row.int64(6), leasedUntil: row.optionalInt64(7), received: row.int(8),
                      owner: row.optionalInt64(9), lastError: row.optionalText(10), createdAt: row.int64(11))
    }

    // MARK: Worker pools

    public func registerPool(name: String, pid: Int, heartbeat: Duration) async throws -> Int64 {
        try connection.queryFirst(QueueSQL.registerPool, [name, pid, clock.nowMillis(), heartbeat.milliseconds]) { $0.int64(0) }!
    }

    public func heartbeat(pool id: Int64, name: String, pid: Int, heartbeat: Duration) async throws {
        try connection.execute(QueueSQL.heartbeat, [id, name, pid, clock.nowMillis(), heartbeat.milliseconds])
    }

    public func deadPools(except asking: Int64) async throws -> [Int64] {
        try connection.query(QueueSQL.deadPools, [clock.nowMillis(), asking]) { $0.int64(0) }
    }

    public func releaseLeases(ofPool id: Int64, reason: String) async throws -> [ReleasedDelivery] {
        try connection.query(QueueSQL.releaseOwned, [id, clock.nowMillis(), reason]) { row in
            ReleasedDelivery(id: row.int64(0), jobID: row.optionalText(1), counted: row.int(2) != 0, received: row.int(3))
        }
    }

    public func deletePool(_ id: Int64) async throws {
        try connection.execute(QueueSQL.deletePool, [id])
    }

    public func workerPools() async throws -> [WorkerPoolRecord] {
        try connection.query(QueueSQL.pools) { row in
            WorkerPoolRecord(id: row.int64(0), name: row.text(1), pid: row.int(2), startedAt: row.int64(3),
                             heartbeatAt: row.int64(4), heartbeat: .milliseconds(row.int64(5)))
        }
    }
}

extension NewMessage {
    /// Without a dedup key or limits: nothing can conflict, so it can share a multi-row INSERT.
    var isPlain: Bool { limits == nil && message.key == nil }
}
