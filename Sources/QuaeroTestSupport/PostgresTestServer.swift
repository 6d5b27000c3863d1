import Foundation
import Logging
import PostgresNIO
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
        let parsed = try PostgresURL(base)
        var configuration = PostgresConnection.Configuration(host: parsed.host, port: parsed.port, username: parsed.user,
                                                             password: parsed.password, database: parsed.database, tls: .disable)
        configuration.options.connectTimeout = .seconds(5)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Logger(label: "quaero.test"))
        do {
            for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Logger(label: "quaero.test")) }
            try await connection.close()
        } catch {
            try? await connection.close()
            throw QuaeroError(.storage, "the test server refused \(statements): \(String(reflecting: error))")
        }
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
