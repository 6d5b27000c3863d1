public import Foundation
public import PostgresNIO
import QuaeroQueue
import Synchronization

/// The text of one statement of the store (or of an app's tables on it), prepared once per connection:
/// PostgreSQL parses and plans it once, then binds and runs it by name (postgres-nio's
/// `PostgresPreparedStatement`).
///
/// Every parameter carries a cast (`$2::bigint`, `$3::text[]`): values are sent in binary, so they must have
/// the type the server infers for them. By convention `$1` is the pinned time (`PostgresTime.now`) in
/// statements that read or stamp a time.
public protocol PostgresSQL: Sendable {
    /// The statement (one; PostgreSQL's extended protocol runs a single statement at a time).
    static var sql: String { get }
}

/// The store's time in SQL: the pinned time of a store given a clock (`$1`), or else the database's (`now()`, the
/// start of the transaction) in UTC milliseconds.
public enum PostgresTime {
    /// The expression; the statement passes the pinned time, or NULL, as `$1`.
    public static let now = "coalesce($1::bigint, (extract(epoch FROM now()) * 1000)::bigint)"
}

/// A statement whose rows are read.
struct PreparedRows<SQL: PostgresSQL>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var sql: String { SQL.sql }
    /// Short and unique (PostgreSQL keys prepared statements by their first 63 bytes): a hash of the text,
    /// computed once per statement (hashing the text at every run showed in a profile of sends).
    static var name: String { StatementNames.shared.name(of: SQL.self) }
    let bindings: PostgresBindings
    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// The name of each statement type, once computed.
final class StatementNames: Sendable {
    static let shared = StatementNames()
    private let names = Mutex<[ObjectIdentifier: String]>([:])

    func name<S: PostgresSQL>(of statement: S.Type) -> String {
        if let name = names.withLock({ $0[ObjectIdentifier(statement)] }) { return name }
        let name = statementName(S.sql)
        names.withLock { $0[ObjectIdentifier(statement)] = name }
        return name
    }
}

/// `q` and the FNV-1a hash of `sql`, in hex.
func statementName(_ sql: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in sql.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    return "q" + String(hash, radix: 16)
}

/// One parameter value (nil binds NULL).
public typealias PostgresBind = (any PostgresThrowingDynamicTypeEncodable & Sendable)?

extension PostgresBindings {
    /// The bindings of `values`, in order.
    static func of(_ values: [PostgresBind]) throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            if let value { try bindings.append(value) } else { bindings.appendNull() }
        }
        return bindings
    }
}

/// One row of a result, read by column index (as SQLite's rows are).
public struct PostgresColumns: Sendable {
    private let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) { self.row = PostgresRandomAccessRow(row) }

    /// Whether column `i` is NULL.
    public func isNull(_ i: Int) -> Bool { row[i].bytes == nil }
    /// Column `i` as an integer.
    public func int64(_ i: Int) throws -> Int64 { try row[i].decode(Int64.self) }
    /// Column `i` as an integer, nil when NULL.
    public func optionalInt64(_ i: Int) throws -> Int64? { try row[i].decode(Int64?.self) }
    /// Column `i` as an Int.
    public func int(_ i: Int) throws -> Int { try row[i].decode(Int.self) }
    /// Column `i` as text.
    public func text(_ i: Int) throws -> String { try row[i].decode(String.self) }
    /// Column `i` as text, nil when NULL.
    public func optionalText(_ i: Int) throws -> String? { try row[i].decode(String?.self) }
    /// Column `i` as a boolean.
    public func bool(_ i: Int) throws -> Bool { try row[i].decode(Bool.self) }
    /// Column `i` as an array of text, empty when NULL.
    public func optionalTextArray(_ i: Int) throws -> [String] { try row[i].decode([String]?.self) ?? [] }
    /// Column `i` as bytes.
    public func data(_ i: Int) throws -> Data { try row[i].decode(Data?.self) ?? Data() }
    /// Column `i` as a floating-point number.
    public func double(_ i: Int) throws -> Double { try row[i].decode(Double.self) }
}

