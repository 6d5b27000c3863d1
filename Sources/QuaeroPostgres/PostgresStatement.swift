import QuaeroQueue

/// The text of one statement of the store (or of an app's tables on it), prepared once per connection:
/// PostgreSQL parses and plans it once, then binds and runs it by name (`PQprepare`, `PQexecPrepared`).
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

/// `q` and the FNV-1a hash of `sql`, in hex.
func statementName(_ sql: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in sql.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    return "q" + String(hash, radix: 16)
}
