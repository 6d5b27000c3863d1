import Foundation
import QuaeroPostgres
import QuaeroQueue

/// The PostgreSQL server of a test run (`QUAERO_TEST_POSTGRES_URL`), and a schema of its own for each test, so
/// that tests stay independent while sharing one database.
public enum PostgresTestServer {
    /// The server's URL, when the run has one.
    public static var url: String? {
        ProcessInfo.processInfo.environment["QUAERO_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The URL of `schema` on the test server: `search_path` set to it at connection start.
    public static func url(schema: String) throws -> String {
        guard let base = url else { throw QuaeroError(.invalidArgument, "QUAERO_TEST_POSTGRES_URL is not set") }
        return base + (base.contains("?") ? "&" : "?") + "options=-c%20search_path%3D\(schema)"
    }

    /// Runs `sql` (statements) on the test server's database, outside any schema of a test.
    public static func execute(_ statements: [String]) async throws {
        guard let base = url else { throw QuaeroError(.invalidArgument, "QUAERO_TEST_POSTGRES_URL is not set") }
        let connection = try await PostgresConnection.open(base, options: PostgresStoreOptions(tls: .off))
        do {
            for statement in statements { try await connection.script(statement) }
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }
}

/// Runs `body` with the URL of a new, empty schema on the test server, then drops the schema.
public func withPostgresSchema<T>(_ body: (String) async throws -> T) async throws -> T {
    let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    try await PostgresTestServer.execute(["CREATE SCHEMA \(schema)"])
    do {
        let result = try await body(try PostgresTestServer.url(schema: String(schema)))
        try await PostgresTestServer.execute(["DROP SCHEMA \(schema) CASCADE"])
        return result
    } catch {
        try? await PostgresTestServer.execute(["DROP SCHEMA \(schema) CASCADE"])
        throw error
    }
}
