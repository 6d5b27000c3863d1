import ArgumentParser
import Quaero
import QuaeroQueue

/// `quaero migrate`: opens the database, applies pending migrations and prints the schema version.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Create or upgrade the database and print its schema version.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let config = try global.resolve().config
        let versions = try await QuaeroApp.withStore(config) { try await QuaeroApp.schemaVersions($0) }
        let chains = versions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("\(config.database.shownPath): schema versions \(chains)")
    }
}
