import Logging
import QuaeroQueue

/// A connection of its own for tools and tests (a scratch schema, a LISTEN that counts notifications), outside
/// any store.
extension PostgresConnection {
    /// Opens a connection to the database at `url` (a `postgres://` URL).
    ///
    /// - Throws: `QuaeroError` naming the server (never the password) when it cannot be reached.
    public static func open(_ url: String, options: PostgresStoreOptions = PostgresStoreOptions()) async throws -> PostgresConnection {
        let parsed = try PostgresURL(url)
        return try await PostgresConnector(url: parsed, options: options, logger: .init(label: "quaero.postgres")).connect(id: 1)
    }

    /// Runs `sql`, one statement or several, without values and without rows (`VACUUM`, DDL, `LISTEN`).
    public func script(_ sql: String) async throws {
        do {
            try await run { try $0.simple(sql) }
        } catch {
            throw QuaeroError(.storage, "PostgreSQL refused \(sql.prefix(80)): \(error)")
        }
    }

    /// Runs one statement with `values` and returns its rows.
    public func query(_ sql: String, _ values: [PostgresBind] = []) async throws -> [PostgresColumns] {
        do {
            return try await run { try $0.execute(sql, values) }.rows
        } catch {
            throw QuaeroError(.storage, "PostgreSQL refused \(sql.prefix(80)): \(error)")
        }
    }

    /// The payloads of notifications on the channels this connection LISTENs on, waiting up to `timeout` for
    /// the first.
    public func notifications(waitingAtMost timeout: Duration) async throws -> [String] {
        try await run { try $0.notifications(within: timeout) }
    }
}
