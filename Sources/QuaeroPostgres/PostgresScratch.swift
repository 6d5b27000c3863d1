import Foundation
import Logging
import QuaeroQueue

/// What `quaero bench` needs of a PostgreSQL database besides the store: a schema of its own for each
/// measurement (so that runs share one database without seeing each other's rows), and the floor's table
/// (../shared/bench/postgres/schema.sql) with a backlog, settled as the floor's `floor.sh` settles it.
public enum PostgresScratch {
    /// Creates a new, empty schema in the database at `url` and returns its name (`prefix` and a random suffix).
    public static func createSchema(url: String, prefix: String = "bench") async throws -> String {
        let name = prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        try await execute(url: url, ["CREATE SCHEMA \(try identifier(name))"])
        return name
    }

    /// Drops `schema` and everything in it.
    public static func dropSchema(_ schema: String, url: String) async throws {
        try await execute(url: url, ["DROP SCHEMA IF EXISTS \(try identifier(schema)) CASCADE"])
    }

    /// `url` with `search_path` set to `schema` at connection start, plus `settings` (`-c name=value`), in a form
    /// both Quaero (`PostgresURL`) and libpq (pgbench) read.
    public static func url(_ url: String, schema: String, settings: [(name: String, value: String)] = []) -> String {
        let options = ([("search_path", schema)] + settings).map { "-c%20\($0.0)%3D\($0.1)" }.joined(separator: "%20")
        return url + (url.contains("?") ? "&" : "?") + "options=" + options
    }

    /// Runs `script` (statements separated by `;` at line ends, as in the floor's schema.sql) in the schema of
    /// `url`, then fills the floor's `messages` with `backlog` ready messages.
    public static func prepareFloor(url: String, script: String, backlog: Int) async throws {
        let statements = script.components(separatedBy: ";\n").map { text in
            text.split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n")
        }.filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        var all = statements
        if backlog > 0 {
            all.append("""
                INSERT INTO messages (queue, body, visible_at, created_at)
                SELECT 'bench', '\\x7979'::bytea, 0, 0 FROM generate_series(1, \(backlog))
                """)
        }
        try await execute(url: url, all)
    }

    /// `VACUUM ANALYZE` of `tables` and a `CHECKPOINT` before a timed run (floor.sh does the same before each of
    /// its cells), so that neither side pays for the other's leftovers.
    public static func settle(url: String, tables: [String] = ["messages"]) async throws {
        try await execute(url: url, try tables.map { "VACUUM ANALYZE \(try identifier($0))" } + ["CHECKPOINT"])
    }

    /// Runs `statements` one by one on a connection of their own (outside any transaction: `VACUUM` needs that).
    static func execute(url: String, _ statements: [String]) async throws {
        let parsed = try PostgresURL(url)
        let connection = try await PostgresConnector(url: parsed, options: PostgresStoreOptions(), logger: Logger(label: "quaero.bench")).connect(id: 1)
        for statement in statements {
            do {
                try await connection.run { try $0.simple(statement) }
            } catch {
                await connection.close()
                throw PostgresErrors.map(error, url: parsed, doing: "preparing a benchmark (\(statement.prefix(40))…)")
            }
        }
        await connection.close()
    }

    private static func identifier(_ name: String) throws -> String {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
            throw QuaeroError(.invalidArgument, "\(name) is not a plain lowercase identifier")
        }
        return name
    }
}
