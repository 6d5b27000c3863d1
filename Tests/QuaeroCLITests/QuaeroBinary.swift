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
    /// `QUAERO_*` variables); `stdin` is its standard input (none when nil).
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:], stdin: Data? = nil,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> Outcome {
        let run = try Run(arguments, in: directory, environment: environment, stdin: stdin, sourceLocation: sourceLocation)
        try run.process.run()
        run.process.waitUntilExit()
        return try run.outcome()
    }

    /// Like `run`, but waits for the exit without holding a thread, so that many can run at once.
    static func runConcurrently(_ arguments: [String], in directory: URL, environment: [String: String] = [:],
                                sourceLocation: SourceLocation = #_sourceLocation) async throws -> Outcome {
        let run = try Run(arguments, in: directory, environment: environment, stdin: nil, sourceLocation: sourceLocation)
        let started = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, any Error>, Never>) in
            run.process.terminationHandler = { _ in continuation.resume(returning: .success(())) }
            do {
                try run.process.run()
            } catch {
                run.process.terminationHandler = nil
                continuation.resume(returning: .failure(error))
            }
        }
        try started.get()
        return try run.outcome()
    }

    /// One child process with its output going to files (not pipes: a full pipe could block the child while
    /// we wait for it).
    private final class Run: @unchecked Sendable {
        let process = Process()
        private let outURL: URL
        private let errURL: URL
        private let out: FileHandle
        private let err: FileHandle

        init(_ arguments: [String], in directory: URL, environment: [String: String], stdin: Data?,
             sourceLocation: SourceLocation) throws {
            let binary = try #require(url, "the quaero executable was not found next to the tests; build it with `swift build`",
                                      sourceLocation: sourceLocation)
            process.executableURL = binary
            process.arguments = arguments
            process.currentDirectoryURL = directory
            let inherited = ProcessInfo.processInfo.environment.filter { $0.key == "PATH" || $0.key == "HOME" }
            process.environment = inherited.merging(environment) { $1 }
            let id = UUID().uuidString
            outURL = directory.appendingPathComponent(".out-\(id)")
            errURL = directory.appendingPathComponent(".err-\(id)")
            _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
            _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
            out = try FileHandle(forWritingTo: outURL)
            err = try FileHandle(forWritingTo: errURL)
            process.standardOutput = out
            process.standardError = err
            if let stdin {
                let inURL = directory.appendingPathComponent(".in-\(id)")
                try stdin.write(to: inURL)
                process.standardInput = try FileHandle(forReadingFrom: inURL)
                try FileManager.default.removeItem(at: inURL)  // the open handle keeps the bytes readable
            } else {
                process.standardInput = FileHandle.nullDevice
            }
        }

        /// What the ended process printed and its exit status; removes the output files.
        func outcome() throws -> Outcome {
            defer {
                try? FileManager.default.removeItem(at: outURL)
                try? FileManager.default.removeItem(at: errURL)
            }
            try out.close()
            try err.close()
            return Outcome(status: process.terminationStatus,
                           stdout: try String(contentsOf: outURL, encoding: .utf8),
                           stderr: try String(contentsOf: errURL, encoding: .utf8))
        }
    }
}
