public import Foundation

/// Helper executables that tests run as real processes (crash tests kill them with SIGKILL).
public enum ChildProcess {
    /// The path of executable `name`, which SwiftPM builds beside the test bundle.
    public static func builtExecutable(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Starts `path` with `arguments`, its output discarded.
    public static func launch(_ path: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Kills `process` with SIGKILL (unless it already ended) and waits until it is gone.
    public static func killAndReap(_ process: Process) async {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        _ = await waitUntil { !process.isRunning }
    }
}
