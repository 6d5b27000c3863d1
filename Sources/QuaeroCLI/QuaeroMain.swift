import ArgumentParser
import Foundation
import Quaero
import QuaeroQueue

/// Runs `quaero` and maps every outcome to the exit codes of DESIGN §9: 0 ok, 1 failure, 2 usage or
/// configuration error. Errors are printed to stderr as one line.
@main
enum QuaeroMain {
    static func main() async {
        StandardOutput.lineBuffered()
        MallocTuning.apply()
        do {
            var command = try QuaeroCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(report(error))
        }
    }

    /// Prints `error` and returns the process's exit code.
    static func report(_ error: any Error) -> Int32 {
        switch error {
        case let error as QuaeroConfigError:
            printError("configuration error: \(error.message)")
            return 2
        case let error as JobConfigError:
            printError(error.message)
            return 2
        case let error as CLIUsageError:
            printError(error.message)
            return 2
        case let error as QuaeroError:
            printError(error.message)
            return error.code == .invalidArgument ? 2 : 1
        case let error as WaitInterrupted:
            printError(error.message)
            return 1
        case let error as ExitCode:
            return error.rawValue
        default:
            let code = QuaeroCommand.exitCode(for: error)
            if code == .success {
                // --help and --version.
                print(QuaeroCommand.fullMessage(for: error))
                return 0
            }
            let message = QuaeroCommand.message(for: error)
            if code == .validationFailure {
                printError("\(message) (see quaero --help)")
                return 2
            }
            printError(message)
            return 1
        }
    }

    private static func printError(_ message: String) {
        let line = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
        FileHandle.standardError.write(Data("quaero: \(line)\n".utf8))
    }
}

/// A bad argument found by a command after parsing: exit code 2.
struct CLIUsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
