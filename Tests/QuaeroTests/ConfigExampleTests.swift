import Foundation
import Quaero
import QuaeroQueue
import QuaeroTestSupport
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

    @Test("its commented examples of [types.NAME], [[limits]] and [[schedule]] load, with every key of each table")
    func tableExamples() throws {
        let text = try String(contentsOfFile: Self.examplePath, encoding: .utf8)
        let marker = try #require(text.range(of: "# ---- Tables whose names you choose"))
        let examples = text[marker.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
            .map { $0.hasPrefix("# ") ? String($0.dropFirst(2)) : String($0) }.joined(separator: "\n")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("quaero.toml")
        try ("[queue]\n" + examples).write(toFile: path, atomically: true, encoding: .utf8)
        let resolved = try QuaeroConfig.load(ConfigRequest(configPath: path, environment: [:]))
        let config = resolved.config
        #expect(config.types[.crawlerURL] == JobTypePolicy(timeout: .seconds(120), maxReceive: 5, backoffBase: .seconds(5),
                                                             backoffMax: .seconds(600), maxInFlight: 20))
        #expect(config.limits == [try LimitRule(keyPrefix: "host:example.com", limit: FlowLimit(maxInFlight: 1, rate: Rate.parse("2/s")))])
        let schedule = try #require(config.schedules.first)
        #expect(schedule.name == "nightly-crawl")
        #expect(schedule.type == .crawl)
        #expect(schedule.timeZone.identifier == "Europe/Paris")
        #expect(schedule.config["max_depth"] == .number(1))
        let keys = Set(resolved.tableEntries.map { $0.key.split(separator: ".").last.map(String.init) ?? "" })
        #expect(keys == Set(["timeout", "max_receive", "backoff_base", "backoff_max", "max_in_flight", "key_prefix", "rate",
                             "name", "cron", "type", "config", "time_zone", "catch_up", "enabled"]))
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
