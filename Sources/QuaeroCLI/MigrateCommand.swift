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
        let version = try await QuaeroApp.withDatabase(config) { try await $0.schemaVersion() }
        print("\(config.database.path): schema version \(version)")
    }
}
