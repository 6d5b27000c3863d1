import Foundation
import Quaero
import Testing

@Suite("quaero.toml.example")
struct ConfigExampleTests {
    static let examplePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("quaero.toml.example").path

    @Test("it parses, its keys are exactly the config's keys, and its values are the defaults")
    func matchesConfig() throws {
        let resolved = try QuaeroConfig.load(ConfigRequest(configPath: Self.examplePath, environment: [:]))
        #expect(resolved.config == QuaeroConfig())
        let fromFile = Set(resolved.entries.filter { if case .file = $0.source { true } else { false } }.map(\.key))
        #expect(fromFile == Set(ResolvedConfig.allKeys))
    }

    @Test("it names each key's environment variable next to it")
    func documentsVariables() throws {
        let text = try String(contentsOfFile: Self.examplePath, encoding: .utf8)
        for key in ResolvedConfig.allKeys {
            #expect(text.contains("# env: \(key.environmentVariable)\n\(key.name) = "), "no env line for \(key)")
        }
    }

    @Test("docs/configuration.md lists every key")
    func documentedInGuide() throws {
        let guide = URL(fileURLWithPath: Self.examplePath).deletingLastPathComponent()
            .appendingPathComponent("docs/configuration.md").path
        let text = try String(contentsOfFile: guide, encoding: .utf8)
        for key in ResolvedConfig.allKeys {
            #expect(text.contains("| `\(key)` |"), "docs/configuration.md does not list \(key)")
        }
    }
}
