import ArgumentParser
import Foundation
import Quaero

/// `quaero config`: every key, its effective value and where it came from.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Print the effective configuration and the source of each value.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let resolved = try global.resolve()
        if json {
            try printJSON(ConfigJSON(resolved))
            return
        }
        print("# configuration file: \(resolved.file ?? "none")")
        let rows = resolved.entries.map { ("\($0.key) = \($0.value)", $0.source.description) }
            + resolved.tableEntries.map { ("\($0.key) = \($0.value)", $0.source.description) }
        let width = rows.map(\.0.count).max() ?? 0
        for (setting, source) in rows {
            print(setting.padding(toLength: width, withPad: " ", startingAt: 0) + "   # " + source)
        }
    }
}
