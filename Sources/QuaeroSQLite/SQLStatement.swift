import Synchronization

private let nextStatementID = Atomic<Int>(0)

/// A SQL statement the engine runs often: each connection prepares it once and finds it again by a small
/// integer, without hashing the text on every call.
public struct SQLStatement: Sendable {
    /// Identifies the statement in every connection's cache.
    let id: Int
    /// The SQL text.
    public let text: String

    /// Declares a statement; keep the value (a `static let`) so its id stays the same.
    public init(_ text: String) {
        self.text = text
        self.id = nextStatementID.wrappingAdd(1, ordering: .relaxed).newValue
    }
}

/// SQL that a connection can prepare: a plain string (cached by its text) or a declared `SQLStatement`.
public protocol SQLText: Sendable {
    /// The prepared statement for this SQL on `connection`.
    func prepared(in connection: Connection) throws -> Statement
}

extension String: SQLText {
    public func prepared(in connection: Connection) throws -> Statement { try connection.prepare(self) }
}

extension SQLStatement: SQLText {
    public func prepared(in connection: Connection) throws -> Statement { try connection.prepare(self) }
}
