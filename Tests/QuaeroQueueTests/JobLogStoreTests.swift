@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("JobLogStore")
struct JobLogStoreTests {
    /// Lines of job "a" at times 1000, 2000, ... with levels cycling debug, info, warning, error, and one
    /// line of job "b".
    private func seeded(_ kind: StoreKind, _ body: (JobLogStore, any QuaeroStore) async throws -> Void) async throws {
        try await withStore(kind) { database in
            try await LogFixtures.insertJobs(database, ["a", "b"])
            let store = JobLogStore(store: database)
            var lines = (0..<8).map { i in
                NewJobLogEntry(jobID: "a", timestamp: Int64(i + 1) * 1000, level: LogLevel.allCases[i % 4], message: "a\(i)")
            }
            lines.append(NewJobLogEntry(jobID: "b", timestamp: 500, level: .error, message: "b0"))
            let result = try await store.append(lines)
            #expect(result.written == 9 && result.missingJob == 0)
            try await body(store, database)
        }
    }

    @Test("a job's lines come newest first, limited, filtered by minimum level and since", arguments: StoreKind.available)
    func entriesOfJob(_ kind: StoreKind) async throws {
        try await seeded(kind) { store, _ async throws in
            let all = try await store.entries(jobID: "a")
            #expect(all.map(\.message) == ["a7", "a6", "a5", "a4", "a3", "a2", "a1", "a0"])
            #expect(all.map(\.id) == all.map(\.id).sorted(by: >))

            #expect(try await store.entries(jobID: "a", limit: 3).map(\.message) == ["a7", "a6", "a5"])
            #expect(try await store.entries(jobID: "a", minimumLevel: .warning).map(\.message) == ["a7", "a6", "a3", "a2"])
            #expect(try await store.entries(jobID: "a", minimumLevel: .error).map(\.message) == ["a7", "a3"])
            #expect(try await store.entries(jobID: "a", since: 6000).map(\.message) == ["a7", "a6", "a5"])
            #expect(try await store.entries(jobID: "a", limit: 1, minimumLevel: .warning, since: 4000).map(\.message) == ["a7"])
            #expect(try await store.entries(jobID: "nope").isEmpty)

            let first = try #require(all.last)
            #expect(first == JobLogEntry(id: first.id, jobID: "a", timestamp: 1000, level: .debug, message: "a0"))
        }
    }

    @Test("a follower gets the lines after the last one it saw, oldest first", arguments: StoreKind.available)
    func entriesAfter(_ kind: StoreKind) async throws {
        try await seeded(kind) { store, _ async throws in
            let start = try await store.entries(jobID: "a", after: nil, limit: 3)
            #expect(start.map(\.message) == ["a0", "a1", "a2"])
            let next = try await store.entries(jobID: "a", after: start.last, limit: 100)
            #expect(next.map(\.message) == ["a3", "a4", "a5", "a6", "a7"])
            #expect(try await store.entries(jobID: "a", after: next.last).isEmpty)
            #expect(try await store.entries(jobID: "a", after: start.last, minimumLevel: .error).map(\.message) == ["a3", "a7"])
        }
    }

    @Test("a line is found by its id, so a follower that kept only the id resumes after it; an unknown id is nil", arguments: StoreKind.available)
    func entryByID(_ kind: StoreKind) async throws {
        try await seeded(kind) { store, _ async throws in
            let all = try await store.entries(jobID: "a", after: nil)
            let third = try #require(try await store.entry(id: all[2].id))
            #expect(third == all[2])
            #expect(try await store.entries(jobID: "a", after: third).map(\.message) == ["a3", "a4", "a5", "a6", "a7"])
            #expect(try await store.entry(id: 1_000_000) == nil)
        }
    }

    @Test("a follower does not skip lines that share a timestamp", arguments: StoreKind.available)
    func entriesAfterSameTimestamp(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            try await LogFixtures.insertJobs(database, ["a"])
            let store = JobLogStore(store: database)
            _ = try await store.append((0..<5).map { NewJobLogEntry(jobID: "a", timestamp: 42, level: .info, message: "\($0)") })
            let first = try await store.entries(jobID: "a", after: nil, limit: 2)
            let rest = try await store.entries(jobID: "a", after: first.last)
            #expect((first + rest).map(\.message) == ["0", "1", "2", "3", "4"])
        }
    }

    @Test("lines of one level across jobs, newest first", arguments: StoreKind.available)
    func entriesByLevel(_ kind: StoreKind) async throws {
        try await seeded(kind) { store, _ async throws in
            #expect(try await store.entries(level: .error).map(\.message) == ["a7", "a3", "b0"])
            #expect(try await store.entries(level: .error, since: 1000, limit: 1).map(\.message) == ["a7"])
            #expect(try await store.entries(level: .debug).map(\.jobID) == ["a", "a"])
        }
    }

    @Test("counts by job and by level", arguments: StoreKind.available)
    func counts(_ kind: StoreKind) async throws {
        try await seeded(kind) { store, _ async throws in
            #expect(try await store.count(jobID: "a") == 8)
            #expect(try await store.count(jobID: "b") == 1)
            #expect(try await store.count(jobID: "nope") == 0)
            #expect(try await store.countsByLevel(jobID: "a") == [.debug: 2, .info: 2, .warning: 2, .error: 2])
            #expect(try await store.countsByLevel(jobID: "b") == [.error: 1])
            #expect(try await store.countsByLevel() == [.debug: 2, .info: 2, .warning: 2, .error: 3])
        }
    }

    @Test("deletes a job's lines, and lines older than a cutoff", arguments: StoreKind.available)
    func deletes(_ kind: StoreKind) async throws {
        try await seeded(kind) { store, _ async throws in
            #expect(try await store.delete(jobID: "b") == 1)
            #expect(try await store.count(jobID: "b") == 0)
            #expect(try await store.delete(olderThan: 3000) == 2)
            #expect(try await store.entries(jobID: "a").map(\.message) == ["a7", "a6", "a5", "a4", "a3", "a2"])
            #expect(try await store.delete(olderThan: 3000) == 0)
        }
    }

    @Test("deleting old lines works through more than one chunk", arguments: StoreKind.available)
    func deleteOlderInChunks(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            try await LogFixtures.insertJobs(database, ["a"])
            let store = JobLogStore(store: database)
            let old = JobLogStore.deleteChunk * 2 + 17
            _ = try await store.append((0..<old).map { NewJobLogEntry(jobID: "a", timestamp: Int64($0), level: .info, message: "old") })
            _ = try await store.append([NewJobLogEntry(jobID: "a", timestamp: Int64(old), level: .info, message: "new")])
            #expect(try await store.delete(olderThan: Int64(old)) == old)
            #expect(try await store.entries(jobID: "a").map(\.message) == ["new"])
        }
    }

    @Test("a job's lines go with the job when its row is deleted", arguments: StoreKind.available)
    func cascade(_ kind: StoreKind) async throws {
        try await seeded(kind) { store, database async throws in
            try await LogFixtures.deleteJob(database, "a")
            #expect(try await store.count(jobID: "a") == 0)
            #expect(try await store.count(jobID: "b") == 1)
        }
    }

    @Test("lines of a job that does not exist are skipped and counted; the others are stored", arguments: StoreKind.available)
    func missingJob(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            try await LogFixtures.insertJobs(database, ["a"])
            let store = JobLogStore(store: database)
            let result = try await store.append([
                NewJobLogEntry(jobID: "a", timestamp: 1, level: .info, message: "1"),
                NewJobLogEntry(jobID: "ghost", timestamp: 2, level: .info, message: "lost"),
                NewJobLogEntry(jobID: "a", timestamp: 3, level: .info, message: "2"),
            ])
            #expect(result.written == 2 && result.missingJob == 1 && result.aMissingJobID == "ghost")
            #expect(try await store.entries(jobID: "a").map(\.message) == ["2", "1"])
        }
    }

    @Test("a missing job's line inside a many-row insert costs only that line, and order is kept", arguments: StoreKind.available)
    func missingJobInLargeBatch(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            try await LogFixtures.insertJobs(database, ["a"])
            let store = JobLogStore(store: database)
            let lines = (0..<40).map { i in
                NewJobLogEntry(jobID: i == 5 || i == 37 ? "ghost" : "a", timestamp: 1, level: .info, message: "\(i)")
            }
            let result = try await store.append(lines)
            #expect(result.written == 38 && result.missingJob == 2)
            let stored = try await LogFixtures.lines(store, "a")
            #expect(stored.map(\.message) == (0..<40).filter { $0 != 5 && $0 != 37 }.map { "\($0)" })
        }
    }

    @Test("a limit out of range is rejected with an error naming it", arguments: StoreKind.available)
    func badLimit(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            let store = JobLogStore(store: database)
            for limit in [0, -1, JobLogStore.maxLimit + 1] {
                await #expect {
                    try await store.entries(jobID: "a", limit: limit)
                } throws: { error in
                    let error = try #require(error as? QuaeroError)
                    return error.code == .invalidArgument
                        && error.message == "the log limit must be between 1 and \(JobLogStore.maxLimit), got \(limit)"
                }
                await #expect(throws: QuaeroError.self) { try await store.entries(level: .info, limit: limit) }
                await #expect(throws: QuaeroError.self) { try await store.entries(jobID: "a", after: nil, limit: limit) }
            }
        }
    }
}
