extension Queue {
    /// Dead letters of this queue, oldest first.
    public func deadLetters(limit: Int = 100, offset: Int = 0) async throws -> [DeadLetter] {
        guard limit >= 1, offset >= 0 else {
            throw QuaeroError(.invalidArgument, "dead letter paging needs limit ≥ 1 and offset ≥ 0, got \(limit) and \(offset)")
        }
        return try await database.read { connection in
            try connection.query(QueueSQL.listDead, [self.name, limit, offset]) { row in
                DeadLetter(id: row.int64(0), type: row.optionalText(1), body: row.data(2), received: row.int(3),
                           error: row.optionalText(4), deadAt: row.int64(5))
            }
        }
    }

    /// Puts one dead letter back in the queue with a fresh receive count.
    ///
    /// - Throws: `notFound` when `id` is not a dead letter of this queue.
    public func requeue(_ id: MessageID) async throws {
        try await database.write { connection in
            try connection.execute(QueueSQL.requeueOne, [self.name, id, self.clock.nowMillis()])
            if connection.changes == 0 {
                throw QuaeroError(.notFound, "message \(id) is not a dead letter of queue \(self.name); list them with `quaero queue dead`")
            }
        }
    }

    /// Puts every dead letter of this queue back with a fresh receive count; returns how many.
    @discardableResult
    public func requeueAllDeadLetters() async throws -> Int {
        try await database.write { connection in
            try connection.execute(QueueSQL.requeueAll, [self.name, self.clock.nowMillis()])
            return connection.changes
        }
    }

    /// Deletes dead letters that died at least `age` ago (all of them by default); returns how many.
    @discardableResult
    public func purgeDeadLetters(olderThan age: Duration = .zero) async throws -> Int {
        try await database.write { connection in
            try connection.execute(QueueSQL.purgeDead, [self.name, self.clock.nowMillis() - age.milliseconds])
            return connection.changes
        }
    }

    /// Deletes every live message of this queue (ready, delayed and in flight; not dead letters).
    @discardableResult
    public func purge() async throws -> Int {
        try await database.write { connection in
            try connection.execute(QueueSQL.purgeLive, [self.name])
            return connection.changes
        }
    }

    /// Counts of messages by state, in total and per type, and the age of the oldest ready one.
    public func stats() async throws -> QueueStats {
        let now = clock.nowMillis()
        return try await database.read { connection in
            var totals = QueueStats.Counts()
            var byType: [String: QueueStats.Counts] = [:]
            var oldestVisible: Int64?
            try connection.query(QueueSQL.liveStats, [self.name, now]) { row in
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
            try connection.query(QueueSQL.deadStats, [self.name]) { row in
                byType[row.text(0), default: QueueStats.Counts()].dead = row.int(1)
                totals.dead += row.int(1)
            }
            return QueueStats(queue: self.name, totals: totals,
                              oldestReadyAgeSeconds: oldestVisible.map { Double(max(0, now - $0)) / 1000 },
                              byType: byType)
        }
    }
}
