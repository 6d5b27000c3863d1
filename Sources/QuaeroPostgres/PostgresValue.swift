public import Foundation

/// A value a statement binds as a parameter, sent in PostgreSQL's binary format with its type's OID.
///
/// Every parameter of the store's statements carries a cast (`$2::bigint`, `$3::text[]`): the server plans a
/// prepared statement for the types it infers from them, and the binary bytes must be of that type.
public protocol PostgresValue: Sendable {
    /// The OID of the type the bytes are in (`pg_type.oid`).
    var postgresType: UInt32 { get }
    /// Appends the value in the type's binary format (its `typsend`).
    func appendBinary(to buffer: inout [UInt8])
}

/// One parameter value (nil binds NULL).
public typealias PostgresBind = (any PostgresValue)?

/// A type that can be an element of an array parameter.
public protocol PostgresArrayElement: PostgresValue {
    /// The element type's OID.
    static var elementType: UInt32 { get }
    /// The OID of the array type of it.
    static var arrayType: UInt32 { get }
}

extension PostgresArrayElement {
    public var postgresType: UInt32 { Self.elementType }
}

/// The OIDs of the types the store binds and reads (PostgreSQL's `pg_type.dat`; fixed across versions).
enum PostgresOID {
    static let bool: UInt32 = 16, bytea: UInt32 = 17, char: UInt32 = 18, name: UInt32 = 19, int8: UInt32 = 20
    static let int2: UInt32 = 21, int4: UInt32 = 23, text: UInt32 = 25, oid: UInt32 = 26, json: UInt32 = 114
    static let float4: UInt32 = 700, float8: UInt32 = 701, unknown: UInt32 = 705, bpchar: UInt32 = 1042
    static let varchar: UInt32 = 1043, jsonb: UInt32 = 3802
    static let boolArray: UInt32 = 1000, byteaArray: UInt32 = 1001, int8Array: UInt32 = 1016
    static let textArray: UInt32 = 1009, float8Array: UInt32 = 1022, int4Array: UInt32 = 1007
    static let varcharArray: UInt32 = 1015, nameArray: UInt32 = 1003
}

extension Array where Element == UInt8 {
    /// Appends `value` in network byte order.
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}

extension Int64: PostgresArrayElement {
    public static var elementType: UInt32 { PostgresOID.int8 }
    public static var arrayType: UInt32 { PostgresOID.int8Array }
    public func appendBinary(to buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
}

/// Bound as `bigint`.
extension Int: PostgresArrayElement {
    public static var elementType: UInt32 { PostgresOID.int8 }
    public static var arrayType: UInt32 { PostgresOID.int8Array }
    public func appendBinary(to buffer: inout [UInt8]) { buffer.appendBigEndian(Int64(self)) }
}

extension Int32: PostgresArrayElement {
    public static var elementType: UInt32 { PostgresOID.int4 }
    public static var arrayType: UInt32 { PostgresOID.int4Array }
    public func appendBinary(to buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
}

extension Bool: PostgresArrayElement {
    public static var elementType: UInt32 { PostgresOID.bool }
    public static var arrayType: UInt32 { PostgresOID.boolArray }
    public func appendBinary(to buffer: inout [UInt8]) { buffer.append(self ? 1 : 0) }
}

extension Double: PostgresArrayElement {
    public static var elementType: UInt32 { PostgresOID.float8 }
    public static var arrayType: UInt32 { PostgresOID.float8Array }
    public func appendBinary(to buffer: inout [UInt8]) { buffer.appendBigEndian(bitPattern) }
}

extension String: PostgresArrayElement {
    public static var elementType: UInt32 { PostgresOID.text }
    public static var arrayType: UInt32 { PostgresOID.textArray }
    public func appendBinary(to buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
}

extension Data: PostgresArrayElement {
    public static var elementType: UInt32 { PostgresOID.bytea }
    public static var arrayType: UInt32 { PostgresOID.byteaArray }
    // Through its bytes: appending a `Data` as a sequence copies it byte by byte.
    public func appendBinary(to buffer: inout [UInt8]) { withUnsafeBytes { buffer.append(contentsOf: $0) } }
}

/// A one-dimensional array parameter.
extension Array: PostgresValue where Element: PostgresArrayElement {
    public var postgresType: UInt32 { Element.arrayType }
    public func appendBinary(to buffer: inout [UInt8]) {
        appendArrayHeader(count: count, hasNulls: false, elementType: Element.elementType, to: &buffer)
        // By index: this runs unspecialised (through the parameter's existential), where a `for … in` or a
        // `map` makes the runtime look up the iterator's or the optional array's generic metadata at every
        // call, under a lock (perf of `lifecycle_4_workers_per_s`: 9 % of the client's own time, 2026-11-29).
        for index in 0..<count { appendArrayElement(self[index], to: &buffer) }
    }
}

/// A one-dimensional array parameter whose elements may be NULL (`text[]` with NULLs, `bytea[]`).
public struct PostgresNullableArray<Element: PostgresArrayElement>: PostgresValue {
    /// The elements; nil is NULL.
    public let elements: [Element?]

    /// Wraps `elements`.
    public init(_ elements: [Element?]) { self.elements = elements }

    public var postgresType: UInt32 { Element.arrayType }
    public func appendBinary(to buffer: inout [UInt8]) {
        appendArrayHeader(count: elements.count, hasNulls: elements.contains { $0 == nil }, elementType: Element.elementType, to: &buffer)
        for index in 0..<elements.count {
            if let element = elements[index] { appendArrayElement(element, to: &buffer) } else { buffer.appendBigEndian(Int32(-1)) }
        }
    }
}

/// The start of a one-dimensional array in PostgreSQL's binary format (`array_send`): the number of dimensions, a
/// has-nulls flag, the element type, then the dimension's length and lower bound; each element follows
/// (`appendArrayElement`, or -1 for NULL).
private func appendArrayHeader(count: Int, hasNulls: Bool, elementType: UInt32, to buffer: inout [UInt8]) {
    buffer.appendBigEndian(Int32(count == 0 ? 0 : 1))
    buffer.appendBigEndian(Int32(hasNulls ? 1 : 0))
    buffer.appendBigEndian(elementType)
    guard count > 0 else { return }
    buffer.appendBigEndian(Int32(count))
    buffer.appendBigEndian(Int32(1))
}

/// One element of an array: its length, then its bytes.
private func appendArrayElement<Element: PostgresArrayElement>(_ element: Element, to buffer: inout [UInt8]) {
    let lengthAt = buffer.count
    buffer.appendBigEndian(Int32(0))
    element.appendBinary(to: &buffer)
    let length = Int32(buffer.count - lengthAt - 4).bigEndian
    withUnsafeBytes(of: length) { bytes in
        for i in 0..<4 { buffer[lengthAt + i] = bytes[i] }
    }
}
