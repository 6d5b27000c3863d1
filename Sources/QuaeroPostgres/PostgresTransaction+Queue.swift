import Foundation
public import QuaeroQueue

/// Messages: send, claim, leases, dead letters and stats.
extension PostgresTransaction {
    public func send(_ messages: [NewMessage], queue: String) async throws -> [SentMessage] {
        guard !messages.isEmpty else { return [] }
        if messages.count == 1 { return [try await sendOne(messages[0], queue: queue)] }
        if let size = QueueSQL.sendRowSizes[messages.count], !messages.contains(where: { $0.message.key != nil }) {
            return try await sendRows(messages, queue: queue, size: size)
        }
        let values: [PostgresBind] = [
            now, queue, PostgresNullableArray(messages.map(\.message.type)), PostgresNullableArray(messages.map(\.message.body)),
            messages.map { Int64($0.message.priority) }, messages.map { $0.message.delay.milliseconds },
            PostgresNullableArray(messages.map(\.message.key)), PostgresNullableArray(messages.map(\.jobID)),
            PostgresNullableArray(messages.map { $0.limits?.key }),
            PostgresNullableArray(messages.map { $0.limits?.maxInFlight.map(Int64.init) }),
            PostgresNullableArray(messages.map { $0.limits?.interval.map { max(1, $0.milliseconds) } }),
            PostgresNullableArray(messages.map { $0.limits?.typeMaxInFlight.map(Int64.init) }),
        ]
        let stored = messages.contains(where: { $0.message.key != nil })
            ? try await rows(QueueSQL.SendMany.self, values) : try await rows(QueueSQL.SendManyUnkeyed.self, values)
        sent(to: queue)
        // RETURNING follows the insertion order. A keyed message whose key is not next in it was not stored:
        // the key was held (by an older message, or an earlier one of this batch).
        var inserted = try stored.map { (id: try $0.int64(0), key: try $0.optionalText(1)) }[...]
        var results: [SentMessage?] = Array(repeating: nil, count: messages.count)
        var held: [Int] = []
        for (position, message) in messages.enumerated() {
            if let key = message.message.key, inserted.first?.key != key {
                held.append(position)
            } else {
                results[position] = SentMessage(id: inserted.removeFirst().id, stored: true, jobID: message.jobID)
            }
        }
        if !held.isEmpty {
            var holders: [String: (MessageID, String?)] = [:]
            for row in try await rows(QueueSQL.FindByKeys.self, queue, held.compactMap { messages[$0].message.key }) {
                holders[try row.text(0)] = (try row.int64(1), try row.optionalText(2))
            }
            for position in held {
                let key = messages[position].message.key!
                guard let holder = holders[key] else {
                    throw QuaeroError(.storage, "the message with dedup key \(key) was neither stored nor found")
                }
                results[position] = SentMessage(id: holder.0, stored: false, jobID: holder.1)
            }
        }
        return results.map { $0! }
    }

    /// `send` of 2 to 8 messages without dedup keys, in one statement of that many rows (`QueueSQL.SendRows`).
    private func sendRows<L: FixedLimit>(_ messages: [NewMessage], queue: String, size: L.Type) async throws -> [SentMessage] {
        var values: [PostgresBind] = [now, queue]
        values.reserveCapacity(2 + 9 * messages.count)
        for new in messages {
            let message = new.message
            let limits = new.limits
            values += [
                message.type, message.body, Int64(message.priority), message.delay.milliseconds, new.jobID, limits?.key,
                limits?.maxInFlight.map(Int64.init), limits?.interval.map { max(1, $0.milliseconds) }, limits?.typeMaxInFlight.map(Int64.init),
            ]
        }
        let stored = try await rows(QueueSQL.SendRows<L>.self, values)
        guard stored.count == messages.count else {
            throw QuaeroError(.storage, "a send of \(messages.count) messages to queue \(queue) stored \(stored.count)")
        }
        sent(to: queue)
        // RETURNING follows the order of the VALUES rows.
        return try zip(messages, stored).map { SentMessage(id: try $1.int64(0), stored: true, jobID: $0.jobID) }
    }

    /// `send` of one message, in one statement.
    func sendOne(_ new: NewMessage, queue: String) async throws -> SentMessage {
        let message = new.message
        let limits = new.limits
        let values: [PostgresBind] = [
            now, queue, message.type, message.body, Int64(message.priority), message.delay.milliseconds, message.key, new.jobID,
            limits?.key, limits?.maxInFlight.map(Int64.init), limits?.interval.map { max(1, $0.milliseconds) },
            limits?.typeMaxInFlight.map(Int64.init),
        ]
        let stored = message.key == nil ? try await rows(QueueSQL.SendUnkeyed.self, values) : try await rows(QueueSQL.Send.self, values)
        if let row = stored.first {
            sent(to: queue)
            return SentMessage(id: try row.int64(0), stored: true, jobID: new.jobID)
        }
        // The key is taken: answer the message that holds it.
        guard let key = message.key, let holder = try await rows(QueueSQL.FindByKeys.self, queue, [key]).first else {
            throw QuaeroError(.storage, "a message of queue \(queue) was neither stored nor found by its dedup key")
        }
        return SentMessage(id: try holder.int64(1), stored: false, jobID: try holder.optionalText(2))
    }

    public func receive(_ request: ReceiveRequest) async throws -> Delivery {
        let batch = try await lease(request, startingJobs: false)
        return Delivery(messages: batch.claimed.map(\.message), exhausted: batch.exhausted, heldBack: batch.heldBack,
                        rateLimitedUntil: batch.rateLimitedUntil)
    }

    public func claim(_ request: ReceiveRequest) async throws -> ClaimBatch {
        try await lease(request, startingJobs: true)
    }

    /// The claim statement, run again only when it dead-lettered messages or passed some over for a limit
    /// instead of delivering them (then more may be waiting: the next run leaves out the keys and types that
    /// were saturated), then the limits settled across processes (`settleLimits`).
    private func lease(_ request: ReceiveRequest, startingJobs: Bool) async throws -> ClaimBatch {
        var batch = ClaimBatch()
        var limited: [LimitedDelivery] = []
        let unlocked = core.options.claimLocking == .unlocked
        var random = SystemRandomNumberGenerator()
        var excludedTypes = request.excludedTypes ?? []
        var excludedKeys: Set<String> = []
        let maxReceiveTypes = request.maxReceiveByType.keys.sorted()
        let summaryAt = QueueSQL.leaseColumns + (startingJobs ? JobSQL.columnCount : 0)
        // Without a limit seen lately, the statement without the judgement first (`QueueSQL.lease(judging:)`).
        var judging = unlocked || core.limitSightings.judging(request.queue)
        while batch.claimed.count < request.limit {
            let asked = request.limit - batch.claimed.count
            var values: [PostgresBind] = [
                now, request.queue, Int64(asked), Int64(bitPattern: random.next()), request.owner, Int64(request.maxReceive),
                request.visibility.milliseconds, request.types.map { $0.sorted() }, excludedTypes.isEmpty ? nil : excludedTypes.sorted(),
                excludedKeys.isEmpty ? nil : excludedKeys.sorted(), maxReceiveTypes,
                maxReceiveTypes.map { Int64(request.maxReceiveByType[$0]!) },
            ]
            if startingJobs {
                values += [request.worker, request.leaving.map { $0.handled.sorted() }, request.leaving?.declared.sorted() ?? [String]()]
            }
            // No filter: the largest fixed claim that fits, a statement whose plan PostgreSQL keeps
            // (`QueueSQL.lease(fixed:)`); the rest of the ask in the next turn of the loop.
            let fixed = request.types == nil && excludedTypes.isEmpty && excludedKeys.isEmpty && !unlocked
                ? QueueSQL.fixedLimitTypes.first { $0.count <= asked } : nil
            let take = fixed?.count ?? asked
            values[2] = Int64(take)
            let found = if let fixed {
                try await fixedRows(fixed, startingJobs: startingJobs, judging: judging, values)
            } else if unlocked {
                startingJobs ? try await rows(QueueSQL.ClaimUnlocked.self, values) : try await rows(QueueSQL.ReceiveUnlocked.self, values)
            } else if judging {
                startingJobs ? try await rows(QueueSQL.Claim.self, values) : try await rows(QueueSQL.Receive.self, values)
            } else {
                startingJobs ? try await rows(QueueSQL.ClaimUnjudged.self, values) : try await rows(QueueSQL.ReceiveUnjudged.self, values)
            }
            guard let summary = found.first else { break }
            if !judging, try summary.bool(summaryAt + QueueSQL.summaryColumns) {
                // A candidate carries a limit, and nothing was claimed or dead-lettered: judge, now and for a while.
                core.limitSightings.saw(request.queue)
                judging = true
                continue
            }
            let candidates = try summary.int(summaryAt)
            if try summary.bool(summaryAt + 1) { batch.heldBack = true }
            if let until = try summary.optionalInt64(summaryAt + 2) { batch.rateLimitedUntil = min(batch.rateLimitedUntil ?? until, until) }
            let blockedKeys = try summary.optionalTextArray(summaryAt + 3)
            let blockedTypes = try summary.optionalTextArray(summaryAt + 4)
            excludedKeys.formUnion(blockedKeys)
            excludedTypes.formUnion(blockedTypes)
            var delivered: [(visibleAt: Int64, ClaimedMessage)] = []
            for row in found where !row.isNull(0) {
                let id = try row.int64(0)
                let jobID = try row.optionalText(7)
                if try row.bool(9) {
                    batch.exhausted.append(ExhaustedMessage(id: id, jobID: jobID, reason: try row.optionalText(6) ?? "dead-lettered"))
                    continue
                }
                let message = ReceivedMessage(
                    id: id, type: try row.optionalText(1), body: try row.data(2), received: try row.int(3), priority: try row.int(4),
                    receipt: Receipt(messageID: id, lease: try row.int64(8)), createdAt: try row.int64(5),
                    lastError: try row.optionalText(6), jobID: jobID)
                let job = startingJobs && !row.isNull(QueueSQL.leaseColumns) ? try PostgresRows.job(row, from: QueueSQL.leaseColumns) : nil
                delivered.append((try row.int64(10), ClaimedMessage(message: message, job: job)))
                if let limits = try LimitedDelivery(row, receipt: message.receipt, type: message.type, jobID: job?.id) {
                    limited.append(limits)
                    // Its rate is moved on when the claim settles: until then, the key is left out of the next looks.
                    if limits.interval != nil, let key = limits.key { excludedKeys.insert(key) }
                }
            }
            // RETURNING has no order: best priority first, then FIFO, as the claim chose them.
            delivered.sort { a, b in
                (-a.1.message.priority, a.visibleAt, a.1.message.id) < (-b.1.message.priority, b.visibleAt, b.1.message.id)
            }
            batch.claimed += delivered.map(\.1)
            // Fewer candidates than asked for: the queue has no more. Otherwise, look again for the rest: what was
            // dead-lettered or passed over for a limit, or what a fixed claim smaller than the ask left.
            if candidates < take { break }
        }
        if !limited.isEmpty {
            let undone = try await settleLimits(limited, queue: request.queue)
            if !undone.isEmpty {
                batch.heldBack = true
                batch.claimed.removeAll { undone.contains($0.message.receipt) }
            }
        }
        return batch
    }

    private func fixedRows<L: FixedLimit>(_ limit: L.Type, startingJobs: Bool, judging: Bool, _ values: [PostgresBind]) async throws -> [PostgresColumns] {
        switch (startingJobs, judging) {
        case (true, true): try await rows(QueueSQL.ClaimFixed<L>.self, values)
        case (false, true): try await rows(QueueSQL.ReceiveFixed<L>.self, values)
        case (true, false): try await rows(QueueSQL.ClaimFixedUnjudged<L>.self, values)
        case (false, false): try await rows(QueueSQL.ReceiveFixedUnjudged<L>.self, values)
        }
    }

    public func extend(_ receipts: [Receipt], by duration: Duration) async throws -> Set<Receipt> {
        guard !receipts.isEmpty else { return [] }
        return try await receiptSet(rows(QueueSQL.Extend.self, now, receipts.map(\.messageID), receipts.map(\.lease), duration.milliseconds))
    }

    public func markSolo(_ receipts: [Receipt]) async throws -> Set<Receipt> {
        guard !receipts.isEmpty else { return [] }
        return try await receiptSet(rows(QueueSQL.MarkSolo.self, receipts.map(\.messageID), receipts.map(\.lease)))
    }

    public func delete(_ receipts: [Receipt]) async throws -> Set<Receipt> {
        guard !receipts.isEmpty else { return [] }
        if receipts.count == 1 {
            return try await command(QueueSQL.DeleteOne.self, receipts[0].messageID, receipts[0].lease) > 0 ? [receipts[0]] : []
        }
        return try await receiptSet(rows(QueueSQL.Delete.self, receipts.map(\.messageID), receipts.map(\.lease)))
    }

    private func receiptSet(_ rows: [PostgresColumns]) throws -> Set<Receipt> {
        Set(try rows.map { Receipt(messageID: try $0.int64(0), lease: try $0.int64(1)) })
    }

    /// `extend` of one receipt, in one statement.
    func extendOne(_ receipt: Receipt, by duration: Duration) async throws -> Bool {
        try await command(QueueSQL.ExtendOne.self, now, receipt.messageID, receipt.lease, duration.milliseconds) > 0
    }

    public func release(_ receipt: Receipt, after delay: Duration, error: String?, maxReceive: Int) async throws -> ReleaseOutcome? {
        try await first(QueueSQL.Release.self, now, receipt.messageID, receipt.lease, delay.milliseconds, error, Int64(maxReceive))
            .map { try $0.bool(0) ? .deadLettered : .requeued }
    }

    public func giveBack(_ receipt: Receipt) async throws -> Bool {
        try await command(QueueSQL.GiveBack.self, now, receipt.messageID, receipt.lease) > 0
    }

    public func snooze(_ receipt: Receipt, after delay: Duration) async throws -> Bool {
        try await command(QueueSQL.Snooze.self, now, receipt.messageID, receipt.lease, delay.milliseconds) > 0
    }

    public func deadLetter(_ receipt: Receipt, reason: String) async throws -> Bool {
        try await command(QueueSQL.DeadLetter.self, now, receipt.messageID, receipt.lease, reason) > 0
    }

    public func deleteMessages(_ ids: [MessageID]) async throws {
        guard !ids.isEmpty else { return }
        try await command(QueueSQL.DeleteAny.self, ids)
    }

    public func requeueDeadLetters(queue: String, ids: [MessageID]?) async throws -> [RequeuedMessage] {
        let requeued = try await rows(QueueSQL.Requeue.self, now, queue, ids).map { row in
            RequeuedMessage(id: try row.int64(0), jobID: try row.optionalText(1))
        }
        // In the order asked for (or of the ids), as the SQLite store returns them.
        guard let ids else { return requeued.sorted { $0.id < $1.id } }
        let byID = Dictionary(requeued.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return ids.compactMap { byID[$0] }
    }

    public func purgeDeadLetters(queue: String, olderThan age: Duration) async throws -> Int {
        try await command(QueueSQL.PurgeDead.self, now, queue, age.milliseconds)
    }

    public func purgeMessages(queue: String) async throws -> Int {
        try await command(QueueSQL.PurgeLive.self, queue)
    }

    public func queueStats(queue: String) async throws -> QueueStats {
        var totals = QueueStats.Counts()
        var byType: [String: QueueStats.Counts] = [:]
        var oldestVisible: Int64?
        var now = self.now ?? 0
        for row in try await rows(QueueSQL.LiveStats.self, self.now, queue) {
            var counts = byType[try row.text(0)] ?? QueueStats.Counts()
            counts.ready = try row.int(1)
            counts.delayed = try row.int(2)
            counts.inFlight = try row.int(3)
            byType[try row.text(0)] = counts
            totals.ready += counts.ready
            totals.delayed += counts.delayed
            totals.inFlight += counts.inFlight
            if let visible = try row.optionalInt64(4) { oldestVisible = min(oldestVisible ?? visible, visible) }
            now = try row.int64(5)
        }
        for row in try await rows(QueueSQL.DeadStats.self, queue) {
            byType[try row.text(0), default: QueueStats.Counts()].dead = try row.int(1)
            totals.dead += try row.int(1)
        }
        return QueueStats(queue: queue, totals: totals,
                          oldestReadyAgeSeconds: oldestVisible.map { Double(max(0, now - $0)) / 1000 }, byType: byType,
                          paused: try await pauses(queue: queue))
    }

    public func deadLetters(queue: String, limit: Int, offset: Int) async throws -> [DeadLetter] {
        try await rows(QueueSQL.ListDead.self, queue, Int64(limit), Int64(offset)).map(Self.deadLetter)
    }

    public func deadLetters(_ query: DeadLetterQuery) async throws -> [DeadLetter] {
        let after = query.after ?? DeadLetterCursor(deadAt: .max, id: .max)
        guard let type = query.type else {
            return try await rows(QueueSQL.DeadPage.self, query.queue, after.deadAt, after.id, Int64(query.limit)).map(Self.deadLetter)
        }
        return try await rows(QueueSQL.DeadPageOfType.self, query.queue, after.deadAt, after.id, Int64(query.limit), type)
            .map(Self.deadLetter)
    }

    /// Reads a row selected with `QueueSQL.deadColumns`.
    private static func deadLetter(_ row: PostgresColumns) throws -> DeadLetter {
        DeadLetter(id: try row.int64(0), type: try row.optionalText(1), body: try row.data(2), received: try row.int(3),
                   error: try row.optionalText(4), deadAt: try row.int64(5), jobID: try row.optionalText(6))
    }

    public func leaseCounts(queue: String) async throws -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        for row in try await rows(QueueSQL.LeaseCounts.self, now, queue) { counts[try row.int64(0)] = try row.int(1) }
        return counts
    }

    public func storageSize() async throws -> Int64? {
        try await first(QueueSQL.StorageSize.self)?.int64(0)
    }

    public func messages(_ query: MessageQuery) async throws -> [QueuedMessage] {
        let found: [PostgresColumns]
        switch query {
        case .id(let id):
            found = try await rows(QueueSQL.MessageByID.self, now, id)
        case .job(let jobID):
            found = try await rows(QueueSQL.MessageOfJob.self, now, jobID)
        case .queue(let queue, let state, let after, let limit):
            guard limit > 0 else { return [] }
            let start = after ?? MessagePosition(priority: .max, visibleAt: .min, id: .min)
            let values: [PostgresBind] = [now, queue, Int64(start.priority), start.visibleAt, start.id, Int64(limit)]
            switch state {
            case .dead:
                throw QuaeroError(.invalidArgument, "dead letters are not listed by state: list them with deadLetters(_:), newest first")
            case .ready: found = try await rows(QueueSQL.ReadyPage.self, values)
            case .delayed: found = try await rows(QueueSQL.DelayedPage.self, values)
            case .inFlight: found = try await rows(QueueSQL.InFlightPage.self, values)
            }
        }
        return try found.map { row in
            QueuedMessage(id: try row.int64(0), queue: try row.text(1), type: try row.optionalText(2), jobID: try row.optionalText(3),
                          priority: try row.int(4), state: QueuedMessage.State(rawValue: try row.text(5)) ?? .ready,
                          visibleAt: try row.int64(6), leasedUntil: try row.optionalInt64(7), received: try row.int(8),
                          owner: try row.optionalInt64(9), lastError: try row.optionalText(10), createdAt: try row.int64(11))
        }
    }

    // MARK: Worker pools

    public func registerPool(name: String, pid: Int, heartbeat: Duration) async throws -> Int64 {
        guard let row = try await first(QueueSQL.RegisterPool.self, now, name, Int64(pid), heartbeat.milliseconds) else {
            throw QuaeroError(.storage, "registering worker pool \(name) returned no id")
        }
        return try row.int64(0)
    }

    public func heartbeat(pool id: Int64, name: String, pid: Int, heartbeat: Duration) async throws {
        try await command(QueueSQL.Heartbeat.self, now, id, name, Int64(pid), heartbeat.milliseconds)
    }

    public func deadPools(except asking: Int64) async throws -> [Int64] {
        try await rows(QueueSQL.DeadPools.self, now, asking).map { try $0.int64(0) }
    }

    public func releaseLeases(ofPool id: Int64, reason: String) async throws -> [ReleasedDelivery] {
        try await rows(QueueSQL.ReleaseOwned.self, now, id, reason).map { row in
            ReleasedDelivery(id: try row.int64(0), jobID: try row.optionalText(1), counted: try row.bool(2), received: try row.int(3))
        }.sorted { $0.id < $1.id }
    }

    public func deletePool(_ id: Int64) async throws {
        try await command(QueueSQL.DeletePool.self, id)
    }

    public func workerPools() async throws -> [WorkerPoolRecord] {
        try await rows(QueueSQL.Pools.self).map { row in
            WorkerPoolRecord(id: try row.int64(0), name: try row.text(1), pid: try row.int(2), startedAt: try row.int64(3),
                             heartbeatAt: try row.int64(4), heartbeat: .milliseconds(try row.int64(5)))
        }
    }
}
