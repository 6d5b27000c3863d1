import CSQLite
import Foundation
import QuaeroSQLiteSchema
import QuaeroQueue
@testable import QuaeroSQLite
import QuaeroTestSupport
import Testing

@Suite("Database: opening, migrations and bad files")
struct DatabaseTests {
    @Test func everyMigrationFileIsAppliedInOrder() async throws {
        let folder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Migrations/sqlite/engine/sql")
        let chain = SQLiteEngineSchema.chain
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.map { String($0.dropLast(4)) } == chain.migrations.map(\.name))
        #expect(chain.migrations.map(\.version) == chain.migrations.map(\.version).sorted())
        #expect(Set(chain.migrations.map(\.version)).count == chain.migrations.count)
        for (file, migration) in zip(files, chain.migrations) {
            #expect(try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) == migration.sql)
            #expect(file.hasPrefix(String(format: "m%04d_", migration.version)))
        }
        try await withTemporaryStore { store, _ in
            #expect(try await store.database.schemaVersions() == ["engine": chain.latestVersion])
            let recorded = try await store.database.read {
                try $0.query("SELECT version, name FROM schema_migrations WHERE chain = 'engine' ORDER BY version") { "\($0.int(0)) \($0.text(1))" }
            }
            #expect(recorded == chain.migrations.map { "\($0.version) \($0.name)" })
        }
    }

    @Test func reopeningAppliesNothingTwice() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("q.db")
        let first = try SQLiteStore(path: path)
        let queue = try Queue(name: "q", store: first)
        _ = try await queue.send(Data("kept"))
        await first.close()
        let second = try SQLiteStore(path: path)
        #expect(try await Queue(name: "q", store: second).stats().totals.ready == 1)
        await second.close()
    }

    @Test func pragmasAreSet() async throws {
        try await withTemporaryStore(options: DatabaseOptions(synchronous: .full)) { database, _ in
            let (mode, sync, fk) = try await database.database.write { c in
                (try c.queryFirst("PRAGMA journal_mode") { $0.text(0) }, try c.queryFirst("PRAGMA synchronous") { $0.int(0) },
                 try c.queryFirst("PRAGMA foreign_keys") { $0.int(0) })
            }
            #expect(mode == "wal")
            #expect(sync == 2) // FULL
            #expect(fk == 1)
            #expect(try await database.database.read { try $0.queryFirst("PRAGMA page_size") { $0.int(0) } } == DatabaseOptions().pageSize)
        }
    }

    @Test func anExistingDatabaseKeepsItsPageSize() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("old.db")
        let old = try SQLiteStore(path: path, options: DatabaseOptions(pageSize: 4096))
        _ = try await Queue(name: "q", store: old).send(Data("kept"))
        await old.close()
        let reopened = try SQLiteStore(path: path)  // default options: 1,024-byte pages for new files only
        #expect(try await reopened.database.read { try $0.queryFirst("PRAGMA page_size") { $0.int(0) } } == 4096)
        #expect(try await Queue(name: "q", store: reopened).stats().totals.ready == 1)
        await reopened.close()
    }

    @Test func newerSchemaIsRefusedAndTheFileIsUntouched() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("future.db")
        var db: OpaquePointer?
        #expect(sqlite3_open(path, &db) == SQLITE_OK)
        #expect(sqlite3_exec(db, "CREATE TABLE future (x); INSERT INTO future VALUES (1); PRAGMA user_version = 999;", nil, nil, nil) == SQLITE_OK)
        sqlite3_close(db)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = #expect(throws: QuaeroError.self) { _ = try SQLiteStore(path: path) }
        #expect(error?.code == .schemaTooNew)
        #expect(error?.message.contains("999") == true)
        #expect(error?.message.contains("(\(Database.chainedLayout))") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let wal = path + "-wal"
        let walBytes = FileManager.default.fileExists(atPath: wal) ? try Data(contentsOf: URL(fileURLWithPath: wal)).count : 0
        #expect(walBytes == 0)
    }

    @Test func aFileThatIsNotSQLiteGetsAClearError() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("notes.txt")
        let text = Data(String(repeating: "this is not a database\n", count: 100).utf8)
        try text.write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: QuaeroError.self) { _ = try SQLiteStore(path: path) }
        #expect(error?.code == .notADatabase)
        #expect(error?.message.contains(path) == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == text)
    }

    @Test func aReadOnlyDatabaseIsRefusedAndKept() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("ro.db")
        let database = try SQLiteStore(path: path)
        _ = try await Queue(name: "q", store: database).send(Data("stored"))
        try await database.database.checkpoint()
        await database.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        // Root ignores permission bits, so as root the file is made immutable instead (ext4's chattr +i).
        let asRoot = getuid() == 0
        if asRoot {
            try #require(try runTool("/usr/bin/chattr", ["+i", path]) == 0, "chattr +i is needed to make a file read-only for root")
        } else {
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        }
        defer {
            if asRoot { _ = try? runTool("/usr/bin/chattr", ["-i", path]) }
            try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        }
        let error = #expect(throws: QuaeroError.self) { _ = try SQLiteStore(path: path) }
        #expect(error?.code == .databaseReadOnly)
        #expect(error?.message.contains("read-only") == true)
        #expect(error?.message.contains(path) == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    /// Runs a tool and returns its exit status.
    private func runTool(_ path: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func aDatabaseLockedByAnotherProcessGivesBusyAfterTheTimeoutAndLosesNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("locked.db")
        let database = try SQLiteStore(path: path, options: DatabaseOptions(busyTimeout: .milliseconds(300)))
        let queue = try Queue(name: "q", store: database)
        _ = try await queue.send(Data("before"))
        // Another connection (as another process would) takes the write lock and keeps it.
        var other: OpaquePointer?
        #expect(sqlite3_open(path, &other) == SQLITE_OK)
        #expect(sqlite3_exec(other, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK)
        let started = ContinuousClock.now
        let error = await #expect(throws: QuaeroError.self) { _ = try await queue.send(Data("while locked")) }
        #expect(error?.code == .databaseBusy)
        #expect(error?.message.contains(path) == true)
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        // Reads still work (WAL), and once the lock is gone writes go through; nothing was lost.
        #expect(try await queue.stats().totals.ready == 1)
        #expect(sqlite3_exec(other, "COMMIT", nil, nil, nil) == SQLITE_OK)
        sqlite3_close(other)
        _ = try await queue.send(Data("after"))
        #expect(try await queue.receive(limit: 10).map { String(decoding: $0.body, as: UTF8.self) } == ["before", "after"])
        await database.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func closeLetsQueuedWritesFinishAndRefusesLaterOnes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try SQLiteStore(path: directory.path("closing.db"))
        let queue = try Queue(name: "q", store: database)
        let outcomes = Locked<[Bool]>([])
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<50 {
                group.addTask {
                    do {
                        _ = try await queue.send(Data("\(i)".utf8))
                        outcomes.withLock { $0.append(true) }
                    } catch let error as QuaeroError {
                        #expect(error.code == .closed)
                        outcomes.withLock { $0.append(false) }
                    } catch {
                        Issue.record("unexpected \(error)")
                    }
                }
            }
            group.addTask { await database.close() }
        }
        #expect(outcomes.value.count == 50)
        let stored = outcomes.value.filter { $0 }.count
        // Every write that succeeded is in the file; none that failed is.
        let reopened = try SQLiteStore(path: directory.path("closing.db"))
        #expect(try await Queue(name: "q", store: reopened).stats().totals.ready == stored)
        await reopened.close()
    }

    @Test func writesAfterCloseFail() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try SQLiteStore(path: directory.path("c.db"))
        await database.close()
        let error = await #expect(throws: QuaeroError.self) { try await database.database.write { try $0.execute("SELECT 1") } }
        #expect(error?.code == .closed)
    }

    @Test func inMemoryDatabaseWorks() async throws {
        let database = try SQLiteStore(path: ":memory:")
        let queue = try Queue(name: "mem", store: database)
        _ = try await queue.send(Data("m"))
        #expect(try await queue.stats().totals.ready == 1)
        #expect(try await queue.receive().count == 1)
        await database.close()
    }
}
