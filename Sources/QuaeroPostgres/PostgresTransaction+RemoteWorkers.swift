public import QuaeroQueue

/// What remote (HTTP) workers announced: the job types each serves, and until when, on the database's clock.
extension PostgresTransaction {
    public func announceWorker(name: String, types: Set<String>, liveFor: Duration) async throws {
        guard !types.isEmpty else { return }
        _ = try await command(RemoteWorkerSQL.Announce.self, now, name, types.sorted(), liveFor.milliseconds)
    }

    public func renewWorker(name: String, liveFor: Duration) async throws {
        _ = try await command(RemoteWorkerSQL.Renew.self, now, name, liveFor.milliseconds)
    }

    public func forgetWorkers(expiredFor age: Duration) async throws -> Int {
        try await command(RemoteWorkerSQL.Forget.self, now, age.milliseconds)
    }

    public func remoteWorkerTypes() async throws -> Set<String> {
        Set(try await rows(RemoteWorkerSQL.LiveTypes.self, now).map { try $0.text(0) })
    }

    public func remoteWorkers() async throws -> [RemoteWorkerRecord] {
        try await rows(RemoteWorkerSQL.All.self).map { row in
            RemoteWorkerRecord(name: try row.text(0), type: JobType(try row.text(1)), firstSeenAt: try row.int64(2),
                               lastSeenAt: try row.int64(3), expiresAt: try row.int64(4))
        }
    }
}
