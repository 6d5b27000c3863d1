import Foundation
import QuaeroTestSupport
import Testing

/// A TCP server on 127.0.0.1 that accepts connections (the kernel does, into its backlog) and never
/// answers: a fetch from it waits for its whole timeout.
final class SilentServer: Sendable {
    /// `http://127.0.0.1:PORT`.
    let base: String
    private let server: BackgroundProcess

    init(in folder: URL) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "the silent server needs Debian's python3")
        let script = """
            import socket, time
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            s.listen(128)
            print("port", s.getsockname()[1], flush=True)
            time.sleep(3600)
            """
        let server = try BackgroundProcess("/usr/bin/python3", ["-u", "-c", script], in: folder)
        self.server = server
        var port: Int?
        try #require(await waitUntil(timeout: .seconds(10)) {
            port = server.output().split(separator: "\n").first.flatMap { $0.hasPrefix("port ") ? Int($0.dropFirst(5)) : nil }
            return port != nil
        }, "the silent server did not start: \(server.output())")
        base = "http://127.0.0.1:\(try #require(port))"
    }

    /// Stops the server.
    func stop() { server.kill() }
}

/// `quaero` with its standard output on a pipe, whose bytes are collected as they arrive.
final class PipedQuaero: @unchecked Sendable {
    // @unchecked: `process` is configured before it runs and then only read; `received` is locked.
    private let process = Process()
    private let received = Locked(Data())
    private let receivedErrors = Locked(Data())

    init(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws {
        let binary = try #require(QuaeroBinary.url, "build quaero first")
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key == "PATH" || $0.key == "HOME" }
            .merging(environment) { $1 }
        let pipe = Pipe()
        let errorPipe = Pipe()
        process.standardOutput = pipe
        process.standardError = errorPipe
        for (pipe, received) in [(pipe, received), (errorPipe, receivedErrors)] {
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                if !data.isEmpty { received.withLock { $0.append(data) } }
            }
        }
        try process.run()
    }

    /// What arrived on the pipe so far.
    var output: String { String(decoding: received.value, as: UTF8.self) }

    /// What arrived on standard error so far.
    var errors: String { String(decoding: receivedErrors.value, as: UTF8.self) }

    /// The exit status, once the process has ended.
    var status: Int32? { process.isRunning ? nil : process.terminationStatus }

    /// Whether the process still runs.
    var isRunning: Bool { process.isRunning }

    /// Sends SIGINT (Ctrl-C) without waiting.
    func sendInterrupt() { process.interrupt() }

    /// Sends SIGINT (Ctrl-C) and waits for the process to end.
    func interrupt() async {
        process.interrupt()
        _ = await waitUntil(timeout: .seconds(30)) { !process.isRunning }
    }

    /// Waits (up to `timeout`) for the process to end by itself.
    func waitForExit(timeout: Duration = .seconds(30)) async -> Bool {
        await waitUntil(timeout: timeout) { !process.isRunning }
    }

    /// SIGKILL, if still running.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
