internal import CSQLite
public import Foundation

/// A prepared statement owned by one connection, reused across calls (prepared once, reset after use).
///
/// Not thread-safe: it belongs to the connection that prepared it, which only one caller uses at a time.
public final class Statement {
    let handle: OpaquePointer
    private unowned let connection: Connection

    init(handle: OpaquePointer, connection: Connection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds an integer to the 1-based parameter `index`.
    public func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    /// Binds any SQL value to the 1-based parameter `index`.
    public func bind(_ index: Int32, _ value: SQLValue) {
        switch value {
        case .null: sqlite3_bind_null(handle, index)
        case .integer(let v): sqlite3_bind_int64(handle, index, v)
        case .real(let v): sqlite3_bind_double(handle, index, v)
        case .text(let v): sqlite3_bind_text(handle, index, v, -1, quaero_sqlite_transient())
        case .blob(let v):
            v.withUnsafeBytes { raw in
                _ = sqlite3_bind_blob(handle, index, raw.baseAddress, Int32(raw.count), quaero_sqlite_transient())
            }
        }
    }

    /// Binds bytes without copying them: the caller keeps them alive until the statement is reset.
    public func bindNoCopy(_ index: Int32, blob bytes: UnsafeRawBufferPointer) {
        sqlite3_bind_blob(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count), nil)
    }

    /// Binds UTF-8 text without copying it: the caller keeps it alive until the statement is reset.
    public func bindNoCopy(_ index: Int32, text: UnsafePointer<CChar>) {
        sqlite3_bind_text(handle, index, text, -1, nil)
    }

    /// Binds parameters in order, starting at 1.
    public func bind(_ values: [any SQLBindable]) {
        for (i, value) in values.enumerated() { bind(Int32(i + 1), value.sqlValue) }
    }

    /// Steps once: true while a row is available, false when done.
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(rc, context: String(cString: sqlite3_sql(handle)))
        }
    }

    /// Resets the statement and clears its bindings so it can be reused.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Runs the statement to completion, ignoring rows.
    public func run() throws {
        defer { reset() }
        while try step() {}
    }

    /// Runs the statement and maps every row.
    public func rows<T>(_ map: (Row) throws -> T) throws -> [T] {
        defer { reset() }
        var out: [T] = []
        let row = Row(handle: handle)
        while try step() { out.append(try map(row)) }
        return out
    }

    /// Runs the statement and maps the first row, if any.
    public func first<T>(_ map: (Row) throws -> T) throws -> T? {
        defer { reset() }
        return try step() ? try map(Row(handle: handle)) : nil
    }
}

/// The current row of a statement; valid only until the next step.
public struct Row {
    let handle: OpaquePointer

    /// Whether column `i` is NULL.
    public func isNull(_ i: Int32) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }
    /// Column `i` as an integer.
    public func int64(_ i: Int32) -> Int64 { sqlite3_column_int64(handle, i) }
    /// Column `i` as an Int.
    public func int(_ i: Int32) -> Int { Int(sqlite3_column_int64(handle, i)) }
    /// Column `i` as an integer, or nil when NULL.
    public func optionalInt64(_ i: Int32) -> Int64? { isNull(i) ? nil : int64(i) }
    /// Column `i` as a double.
    public func double(_ i: Int32) -> Double { sqlite3_column_double(handle, i) }
    /// Column `i` as text (empty when NULL).
    public func text(_ i: Int32) -> String {
        guard let p = sqlite3_column_text(handle, i) else { return "" }
        let n = Int(sqlite3_column_bytes(handle, i))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }
    /// Column `i` as text, or nil when NULL.
    public func optionalText(_ i: Int32) -> String? { isNull(i) ? nil : text(i) }
    /// Column `i` as bytes (empty when NULL).
    public func data(_ i: Int32) -> Data {
        let n = Int(sqlite3_column_bytes(handle, i))
        guard n > 0, let p = sqlite3_column_blob(handle, i) else { return Data() }
        return Data(bytes: p, count: n)
    }
}
