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
    }

    public func renewWorker(name: String, liveFor: Duration) async throws {
        let now = clock.nowMillis()
        try connection.execute(RemoteWorkerSQL.renew, [name, now, now + liveFor.milliseconds])
    }

    public func forgetWorkers(expiredFor age: Duration) async throws -> Int {
        try connection.execute(RemoteWorkerSQL.forget, [clock.nowMillis() - age.milliseconds])
        return connection.changes
    }

    public func remoteWorkerTypes() async throws -> Set<String> {
        try liveRemoteTypes(at: clock.nowMillis())
    }

    /// The types that live remote workers serve at `now`.
    func liveRemoteTypes(at now: Int64) throws -> Set<String> {
        Set(try connection.query(RemoteWorkerSQL.liveTypes, [now]) { $0.text(0) })
    }

    public func remoteWorkers() async throws -> [RemoteWorkerRecord] {
        try connection.query(RemoteWorkerSQL.all) { row in
            RemoteWorkerRecord(name: row.text(0), type: JobType(row.text(1)), firstSeenAt: row.int64(2),
                               lastSeenAt: row.int64(3), expiresAt: row.int64(4))
        }
    }
}
