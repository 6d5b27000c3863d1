import NIOCore
public import PostgresNIO

/// A one-dimensional array parameter whose elements may be NULL (`text[]` with NULLs, `bytea[]`), which
/// postgres-nio's own array encoding does not write: PostgreSQL's binary array format, written here.
public struct PostgresNullableArray<Element: PostgresEncodable & Sendable>: PostgresThrowingDynamicTypeEncodable, Sendable {
    /// The elements; nil is NULL.
    public let elements: [Element?]

    /// Wraps `elements`.
    public init(_ elements: [Element?]) { self.elements = elements }

    /// The array types of the element types the store binds.
    public var psqlType: PostgresDataType {
        switch Element.psqlType {
        case .bytea: .byteaArray
        case .int8: .int8Array
        case .bool: .boolArray
        default: .textArray
        }
    }
    public var psqlFormat: PostgresFormat { .binary }

    public func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) throws {
        // ndim, has-nulls flag, element type; then per dimension its length and lower bound; then each element
        // as its length (-1 for NULL) and bytes (PostgreSQL's array_send).
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(elements.contains { $0 == nil } ? 1 : 0, as: Int32.self)
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)
        for element in elements {
            guard let element else {
                buffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let lengthIndex = buffer.writerIndex
            buffer.writeInteger(0, as: Int32.self)
            let start = buffer.writerIndex
            try element.encode(into: &buffer, context: context)
            buffer.setInteger(Int32(buffer.writerIndex - start), at: lengthIndex)
        }
    }
}
