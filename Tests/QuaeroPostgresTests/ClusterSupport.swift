import Foundation
import QuaeroPostgres
import QuaeroPostgresAppSchema
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// Whether this run has a PostgreSQL server (scripts/test starts one).
let hasPostgres = PostgresTestServer.url != nil

/// Runs `body` with the URL of a fresh schema and a store on it holding the engine's and the app's tables.
func withClusterSchema<T>(clock: (any QuaeroClock)? = nil, _ body: (String, PostgresStore) async throws -> T) async throws -> T {
    try await withPostgresSchema { url in
        let store = try await PostgresStore.open(url, chains: [PostgresAppSchema.chain], clock: clock)
        return try await closing(store) { try await body(url, store) }
    }
}

/// Runs SQL of the test (counts, pg_terminate_backend) on `store`.
func sql(_ store: PostgresStore, _ text: String, _ values: [PostgresBind] = []) async throws -> [PostgresColumns] {
    try await store.read { reader in try await (reader as! PostgresTransaction).query(text, values) }
}

/// The first column of the first row, as an integer.
func count(_ store: PostgresStore, _ text: String) async throws -> Int {
    try await sql(store, text).first?.int(0) ?? 0
}

/// A child process (a worker) with its output in a file of `directory`, which tests signal.
final class Node: @unchecked Sendable {
    // @unchecked: `process` is configured before it runs and then only signalled.
    private let process = Process()
    let log: URL

    /// Starts `executable` with `arguments` in `directory`, with only PATH and HOME inherited.
    init(_ executable: URL, _ arguments: [String], in directory: URL) throws {
        log = directory.appendingPathComponent("node-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key == "PATH" || $0.key == "HOME" }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// A node worker (`QuaeroNodeWorker`, `quaero worker`'s composition with the tests' job types) on `url`.
    static func worker(_ url: String, in directory: URL, settings: String = "") throws -> Node {
        let config = directory.appendingPathComponent("node-\(UUID().uuidString).toml")
        try Data(("[database]\npath = \"\(url)\"\n" + settings).utf8).write(to: config)
        return try Node(URL(fileURLWithPath: ChildProcess.builtExecutable("QuaeroNodeWorker")), [config.path], in: directory)
    }

    /// `quaero ARGUMENTS` in the background.
    static func quaero(_ arguments: [String], in directory: URL) throws -> Node {
        try Node(try #require(quaeroBinary, "build the quaero executable first (swift build)"), arguments, in: directory)
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var status: Int32 { process.terminationStatus }

    /// What it printed so far.
    func output() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Sends `signal`.
    func send(_ signal: Int32) { if process.isRunning { kill(process.processIdentifier, signal) } }

    /// Waits (without holding a thread) until it exited; false when it had not within `timeout`.
    func exited(within timeout: Duration = .seconds(30)) async -> Bool {
        await waitUntil(timeout: timeout, pollEvery: .milliseconds(10)) { !self.process.isRunning }
    }

    /// SIGTERM (graceful), then SIGKILL if it has not ended within 20 s.
    func stop() async {
        send(SIGTERM)
        if !(await exited(within: .seconds(20))) { send(SIGKILL) }
        _ = await exited()
    }
}

/// The built `quaero` executable: beside the test runner in the build folder.
let quaeroBinary: URL? = {
    var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<5 {
        let candidate = folder.appendingPathComponent("quaero")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        folder.deleteLastPathComponent()
    }
    let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let fallback = package.appendingPathComponent(".build/debug/quaero")
    return FileManager.default.isExecutableFile(atPath: fallback.path) ? fallback : nil
}()

/// Runs `quaero ARGUMENTS` to its end; returns its exit status and output.
func runQuaero(_ arguments: [String], in directory: URL, timeout: Duration = .seconds(60)) async throws -> (status: Int32, output: String) {
    let node = try Node.quaero(arguments, in: directory)
    try #require(await node.exited(within: timeout), "quaero \(arguments) did not end: \(node.output())")
    return (node.status, node.output())
}

/// The repository's scripts folder (pg-throwaway).
let scriptsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("scripts")

/// Whether `wakeups` yields within `timeout`.
func firstWakeup(_ wakeups: AsyncStream<Void>, within timeout: Duration) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            var next = wakeups.makeAsyncIterator()
            return await next.next() != nil
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return false
        }
        defer { group.cancelAll() }
        return await group.next() ?? false
    }
}
