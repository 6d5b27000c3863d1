import Foundation
import Quaero
import QuaeroTestSupport
import Testing

/// Loads a configuration from `toml` (written as `quaero.toml` in a fresh folder unless nil), `environment`
/// and flags, never from the test process's own environment.
func loadConfig(toml: String? = nil, environment: [String: String] = [:], flags: [ConfigRequest.Flag] = [],
                configPath: String? = nil) throws -> ResolvedConfig {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    if let toml { try Data(toml.utf8).write(to: URL(fileURLWithPath: directory.path("quaero.toml"))) }
    return try QuaeroConfig.load(ConfigRequest(configPath: configPath, workingDirectory: directory.url.path,
                                               environment: environment, flags: flags))
}

/// The configuration error `body` throws; records an issue when it throws none or another error.
func configError(_ body: () throws -> ResolvedConfig, sourceLocation: SourceLocation = #_sourceLocation) -> QuaeroConfigError? {
    do {
        let resolved = try body()
        Issue.record("expected a configuration error, got \(resolved.config)", sourceLocation: sourceLocation)
    } catch let error as QuaeroConfigError {
        return error
    } catch {
        Issue.record("expected a QuaeroConfigError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

extension ConfigKey {
    static let databasePath = ConfigKey(.database, "path")
    static let maxReceive = ConfigKey(.queue, "max_receive")
    static let visibilityTimeout = ConfigKey(.queue, "visibility_timeout")
}
