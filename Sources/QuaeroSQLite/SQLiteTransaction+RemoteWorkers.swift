public import QuaeroQueue

/// What remote (HTTP) workers announced: the job types each serves, and until when.
extension SQLiteTransaction {
    public func announceWorker(name: String, types: Set<String>, liveFor: Duration) async throws {
        let now = clock.nowMillis()
        let stmt = try connection.prepare(RemoteWorkerSQL.announce)
        for type in types.sorted() {
            stmt.bind([name, type, now, now + liveFor.milliseconds])
            try stmt.run()
        }
        remoteTypes.invalidate(through: connection)
    }

    public func renewWorker(name: String, liveFor: Duration) async throws {
        let now = clock.nowMillis()
        try connection.execute(RemoteWorkerSQL.renew, [name, now, now + liveFor.milliseconds])
        remoteTypes.invalidate(through: connection)
    }

    public func forgetWorkers(expiredFor age: Duration) async throws -> Int {
        try connection.execute(RemoteWorkerSQL.forget, [clock.nowMillis() - age.milliseconds])
        return connection.changes
    }

    public func remoteWorkerTypes() async throws -> Set<String> {
        try readLiveRemoteTypes(at: clock.nowMillis()).types
    }

    /// The types that live remote workers serve at `now`, and when the first of those announcements expires.
    func readLiveRemoteTypes(at now: Int64) throws -> LiveRemoteTypes {
        var types: Set<String> = []
        var firstExpiry = Int64.max
        try connection.query(RemoteWorkerSQL.liveTypes, [now]) { row in
            types.insert(row.text(0))
            firstExpiry = min(firstExpiry, row.int64(1))
        }
        return LiveRemoteTypes(types: types, firstExpiry: firstExpiry)
    }

    public func remoteWorkers() async throws -> [RemoteWorkerRecord] {
        try connection.query(RemoteWorkerSQL.all) { row in
            RemoteWorkerRecord(name: row.text(0), type: JobType(row.text(1)), firstSeenAt: row.int64(2),
                               lastSeenAt: row.int64(3), expiresAt: row.int64(4))
        }
    }
}

/// The types that live remote workers serve, as read, and when the first of those announcements expires
/// (store time): past it the read no longer holds, whatever its age.
struct LiveRemoteTypes: Sendable {
    let types: Set<String>
    let firstExpiry: Int64
}
