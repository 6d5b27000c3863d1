import Foundation
import Testing

/// Runs the built `quaero` executable as a child process.
struct QuaeroBinary {
    /// What a run printed and how it ended.
    struct Outcome: CustomStringConvertible {
        let status: Int32
        let stdout: String
        let stderr: String
        var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
    }

    /// The executable: next to the test bundle in the build folder (`.build/<triple>/debug/quaero`).
    static let url: URL? = {
        var starts = [URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()]
        if let executable = Bundle.main.executableURL { starts.append(executable.resolvingSymlinksInPath()) }
        // macOS runs tests inside xctest, with the .xctest bundle loaded from the build folder.
        starts += Bundle.allBundles.filter { $0.bundlePath.hasSuffix(".xctest") }.map { $0.bundleURL.appendingPathComponent("x") }
        for start in starts {
            // Linux: the test runner sits in the build folder; macOS: inside an .xctest bundle in it.
            var folder = start.deletingLastPathComponent()
            for _ in 0..<5 {
                let candidate = folder.appendingPathComponent("quaero")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                folder.deleteLastPathComponent()
            }
        }
        // Run from elsewhere: the package's own debug build.
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let fallback = package.appendingPathComponent(".build/debug/quaero")
        return FileManager.default.isExecutableFile(atPath: fallback.path) ? fallback : nil
    }()

    /// Runs `quaero arguments` in `directory` with only PATH, HOME and `environment` set (no inherited
    /// `QUAERO_*` variables).
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:],
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> Outcome {
        let binary = try #require(url, "the quaero executable was not found next to the tests; build it with `swift build`",
                                  sourceLocation: sourceLocation)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let inherited = ProcessInfo.processInfo.environment.filter { $0.key == "PATH" || $0.key == "HOME" }
        process.environment = inherited.merging(environment) { $1 }
        // Files, not pipes: a full pipe could block the child while we wait for it.
        let id = UUID().uuidString
        let outURL = directory.appendingPathComponent(".out-\(id)")
        let errURL = directory.appendingPathComponent(".err-\(id)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Outcome(status: process.terminationStatus,
                       stdout: try String(contentsOf: outURL, encoding: .utf8),
                       stderr: try String(contentsOf: errURL, encoding: .utf8))
    }
}
