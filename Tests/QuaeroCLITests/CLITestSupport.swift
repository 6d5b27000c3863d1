import Foundation
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// Runs `body` with a fresh temporary folder that serves as the working directory of `quaero`.
func withWorkspace<T>(_ body: (TemporaryDirectory) async throws -> T) async throws -> T {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    return try await body(directory)
}

/// Runs `body` with a fresh workspace and the `database.path` of an empty database of `kind` that several
/// `quaero` processes can share: a file in the workspace, or a schema of its own on the test PostgreSQL server.
func withWorkspace<T>(_ kind: StoreKind, _ body: (TemporaryDirectory, String) async throws -> T) async throws -> T {
    try await withWorkspace { directory in
        switch kind {
        case .sqliteFile: return try await body(directory, directory.path("quaero.db"))
        case .postgres: return try await withPostgresSchema { url in try await body(directory, url) }
        case .sqliteMemory: throw QuaeroError(.invalidArgument, "an in-memory database cannot be shared by processes")
        }
    }
}

extension TemporaryDirectory {
    /// Runs `quaero arguments` in this folder.
    func quaero(_ arguments: String..., environment: [String: String] = [:],
                sourceLocation: SourceLocation = #_sourceLocation) throws -> QuaeroBinary.Outcome {
        try QuaeroBinary.run(arguments, in: url, environment: environment, sourceLocation: sourceLocation)
    }

    /// Runs `quaero arguments` and returns its stdout parsed as JSON, expecting exit 0.
    func quaeroJSON(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        let outcome = try QuaeroBinary.run(arguments, in: url, sourceLocation: sourceLocation)
        #expect(outcome.status == 0, "\(outcome)", sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8))
    }
}
