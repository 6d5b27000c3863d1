import CSQLite
import Foundation
import QuaeroTestSupport
import Testing

@Suite("quaero errors and exit codes")
struct CLIErrorTests {
    @Test("a body that is not a JSON object exits 2 with a clear message and stores nothing",
          arguments: ["not json", "[1, 2]", #"{"url": "#])
    func badBody(body: String) async throws {
        try await withWorkspace { dir in
            let outcome = try dir.quaero("send", "crawler_url", body, "--db", "q.db")
            #expect(outcome.status == 2, "\(outcome)")
            #expect(outcome.stderr.contains("the message body"), "\(outcome)")
            #expect(outcome.stderr.split(separator: "\n").count == 1, "one line: \(outcome)")
            // Checked before the database is opened: not even the file was created.
            #expect(!FileManager.default.fileExists(atPath: dir.path("q.db")))
        }
    }

    @Test("an unknown key in quaero.toml exits 2 naming file:line")
    func unknownConfigKey() async throws {
        try await withWorkspace { dir in
            try Data("[queue]\n\nmax_recieve = 3\n".utf8).write(to: URL(fileURLWithPath: dir.path("quaero.toml")))
            let outcome = try dir.quaero("queue", "stats")
            #expect(outcome.status == 2, "\(outcome)")
            #expect(outcome.stderr.contains("quaero.toml:3"), "\(outcome)")
            #expect(outcome.stderr.contains("max_recieve"), "\(outcome)")
            #expect(!FileManager.default.fileExists(atPath: dir.path("quaero.db")))
        }
    }

    @Test("a --config file that does not exist exits 2")
    func missingConfig() async throws {
        try await withWorkspace { dir in
            let outcome = try dir.quaero("--config", "nope.toml", "migrate")
            #expect(outcome.status == 2, "\(outcome)")
            #expect(outcome.stderr.contains("nope.toml"), "\(outcome)")
        }
    }

    @Test("an environment value of the wrong type exits 2 naming the variable")
    func badEnvironmentValue() async throws {
        try await withWorkspace { dir in
            let outcome = try dir.quaero("migrate", environment: ["QUAERO_QUEUE_MAX_RECEIVE": "-1"])
            #expect(outcome.status == 2, "\(outcome)")
            #expect(outcome.stderr.contains("QUAERO_QUEUE_MAX_RECEIVE"), "\(outcome)")
        }
    }

    @Test("an empty or over-long queue name exits 2", arguments: ["", String(repeating: "n", count: 101)])
    func badQueueName(name: String) async throws {
        try await withWorkspace { dir in
            let outcome = try dir.quaero("queue", "stats", environment: ["QUAERO_QUEUE_QUEUE_NAME": name])
            #expect(outcome.status == 2, "\(outcome)")
            #expect(outcome.stderr.contains("QUAERO_QUEUE_QUEUE_NAME"), "\(outcome)")
            #expect(outcome.stderr.contains("queue name"), "\(outcome)")
        }
    }

    @Test("a database from a newer schema exits 1 naming both versions and stays byte-for-byte unchanged")
    func newerSchema() async throws {
        try await withWorkspace { dir in
            let path = dir.path("future.db")
            var handle: OpaquePointer?
            #expect(sqlite3_open(path, &handle) == SQLITE_OK)
            #expect(sqlite3_exec(handle, "CREATE TABLE t (x); PRAGMA user_version = 999;", nil, nil, nil) == SQLITE_OK)
            sqlite3_close(handle)
            let before = try Data(contentsOf: URL(fileURLWithPath: path))

            let outcome = try dir.quaero("migrate", "--db", path)
            #expect(outcome.status == 1, "\(outcome)")
            #expect(outcome.stderr.contains("999"), "\(outcome)")
            #expect(outcome.stderr.contains("newer than this binary knows"), "\(outcome)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        }
    }

    @Test("crawl --depth outside crawler.max_depth's range, or --max-pages below 1, exits 2 naming the range; nothing is stored",
          arguments: [(["--depth", "100000"], "--depth must be from 0 to 1000"), (["--depth", "-1"], "--depth must be from 0 to 1000"),
                      (["--max-pages", "0"], "--max-pages must be 1 or more")])
    func crawlLimits(arguments: [String], reason: String) async throws {
        try await withWorkspace { dir in
            let outcome = try QuaeroBinary.run(["crawl", "https://example.com/", "--db", "q.db"] + arguments, in: dir.url)
            #expect(outcome.status == 2, "\(outcome)")
            #expect(outcome.stderr.contains(reason), "\(outcome)")
            #expect(!FileManager.default.fileExists(atPath: dir.path("q.db")))
        }
    }

    @Test("usage errors exit 2 with one line; --help exits 0")
    func usage() async throws {
        try await withWorkspace { dir in
            let missing = try dir.quaero("send", "crawler_url")
            #expect(missing.status == 2, "\(missing)")
            #expect(missing.stderr.split(separator: "\n").count == 1, "\(missing)")
            #expect(try dir.quaero("queue", "requeue").status == 2)
            #expect(try dir.quaero("send", "t", "{}", "--delay", "soon").status == 2)
            #expect(try dir.quaero("queue", "dead", "--limit", "0").status == 2)
            let help = try dir.quaero("--help")
            #expect(help.status == 0)
            #expect(help.stdout.contains("migrate"))
        }
    }
}
