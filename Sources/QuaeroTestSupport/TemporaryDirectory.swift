public import Foundation
public import QuaeroQueue
public import QuaeroSQLite

/// A fresh folder under the system's temporary directory, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    /// The folder's URL.
    public let url: URL

    /// Creates a new, empty folder.
    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("quaero-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the folder.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Removes the folder and everything in it.
    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Runs `body` with a SQLite store on a new database file in a fresh temporary folder, then closes and
/// removes both.
public func withTemporaryStore<T>(
    options: DatabaseOptions = DatabaseOptions(), chains: [MigrationChain] = [], clock: any QuaeroClock = SystemClock(),
    _ body: (SQLiteStore, TemporaryDirectory) async throws -> T
) async throws -> T {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(path: directory.path("quaero.db"), options: options, chains: chains, clock: clock)
    do {
        let result = try await body(store, directory)
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}
