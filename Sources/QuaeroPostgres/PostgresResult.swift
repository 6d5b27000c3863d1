import CLibPQ
public import Foundation
import QuaeroQueue

/// The rows of one statement's result, in binary format (libpq's `PGresult`, freed with the last row that holds
/// it). A result is not changed after libpq made it, so its rows may be read on any thread.
final class PostgresResult: @unchecked Sendable {
    let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { PQclear(handle) }

    var count: Int { Int(PQntuples(handle)) }

    var rows: [PostgresColumns] { (0..<count).map { PostgresColumns(result: self, row: Int32($0)) } }
}

/// One row of a result, read by column index (as SQLite's rows are).
public struct PostgresColumns: Sendable {
    private let result: PostgresResult
    private let row: Int32

    init(result: PostgresResult, row: Int32) {
        self.result = result
        self.row = row
    }

    /// Whether column `i` is NULL.
    public func isNull(_ i: Int) -> Bool { PQgetisnull(result.handle, row, Int32(i)) == 1 }
    /// Column `i` as an integer.
    public func int64(_ i: Int) throws -> Int64 { try integer(try value(i), i) }
    /// Column `i` as an integer, nil when NULL.
    public func optionalInt64(_ i: Int) throws -> Int64? { isNull(i) ? nil : try int64(i) }
    /// Column `i` as an Int.
    public func int(_ i: Int) throws -> Int { Int(try int64(i)) }
    /// Column `i` as text.
    public func text(_ i: Int) throws -> String {
        let bytes = try value(i)
        switch type(i) {
        case PostgresOID.text, PostgresOID.varchar, PostgresOID.name, PostgresOID.bpchar, PostgresOID.unknown,
             PostgresOID.json, PostgresOID.char:
            return String(decoding: bytes, as: UTF8.self)
        case PostgresOID.jsonb:
            // A version byte (1), then the text.
            return String(decoding: bytes.dropFirst(), as: UTF8.self)
        default:
            throw mismatch(i, "text")
        }
    }
    /// Column `i` as text, nil when NULL.
    public func optionalText(_ i: Int) throws -> String? { isNull(i) ? nil : try text(i) }
    /// Column `i` as a boolean.
    public func bool(_ i: Int) throws -> Bool {
        let bytes = try value(i)
        guard type(i) == PostgresOID.bool, bytes.count == 1 else { throw mismatch(i, "boolean") }
        return bytes[0] != 0
    }
    /// Column `i` as an array of text, empty when NULL.
    public func optionalTextArray(_ i: Int) throws -> [String] {
        guard !isNull(i) else { return [] }
        switch type(i) {
        case PostgresOID.textArray, PostgresOID.varcharArray, PostgresOID.nameArray: break
        default: throw mismatch(i, "an array of text")
        }
        var reader = BinaryReader(try value(i))
        guard let dimensions = reader.int32(), let _ = reader.int32(), let _ = reader.int32() else { throw mismatch(i, "an array of text") }
        guard dimensions > 0 else { return [] }
        guard dimensions == 1, let count = reader.int32(), let _ = reader.int32() else { throw mismatch(i, "an array of text") }
        var elements: [String] = []
        elements.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let length = reader.int32() else { throw mismatch(i, "an array of text") }
            // A NULL element reads as empty text.
            guard length >= 0 else { elements.append(""); continue }
            guard let bytes = reader.bytes(Int(length)) else { throw mismatch(i, "an array of text") }
            elements.append(String(decoding: bytes, as: UTF8.self))
        }
        return elements
    }
    /// Column `i` as bytes.
    public func data(_ i: Int) throws -> Data {
        guard !isNull(i) else { return Data() }
        guard type(i) == PostgresOID.bytea else { throw mismatch(i, "bytes") }
        return Data(try value(i))
    }
    /// Column `i` as a floating-point number.
    public func double(_ i: Int) throws -> Double {
        let bytes = try value(i)
        switch type(i) {
        case PostgresOID.float8 where bytes.count == 8: return Double(bitPattern: UInt64(bigEndianBytes: bytes))
        case PostgresOID.float4 where bytes.count == 4: return Double(Float(bitPattern: UInt32(bigEndianBytes: bytes)))
        default: return Double(try integer(bytes, i))
        }
    }

    private func type(_ i: Int) -> UInt32 { UInt32(PQftype(result.handle, Int32(i))) }

    /// The bytes of column `i` (a view into the result, which `self` keeps alive).
    private func value(_ i: Int) throws -> UnsafeBufferPointer<UInt8> {
        guard i >= 0, i < Int(PQnfields(result.handle)) else {
            throw QuaeroError(.decoding, "PostgreSQL returned \(PQnfields(result.handle)) columns; column \(i) was read")
        }
        guard !isNull(i) else { throw QuaeroError(.decoding, "column \(i) of a PostgreSQL row is NULL where a value was expected") }
        let length = Int(PQgetlength(result.handle, row, Int32(i)))
        return PQgetvalue(result.handle, row, Int32(i)).withMemoryRebound(to: UInt8.self, capacity: length) {
            UnsafeBufferPointer(start: $0, count: length)
        }
    }

    private func integer(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) throws -> Int64 {
        switch (type(i), bytes.count) {
        case (PostgresOID.int8, 8): return Int64(bitPattern: UInt64(bigEndianBytes: bytes))
        case (PostgresOID.int4, 4): return Int64(Int32(bitPattern: UInt32(bigEndianBytes: bytes)))
        case (PostgresOID.int2, 2): return Int64(Int16(bitPattern: UInt16(bigEndianBytes: bytes)))
        case (PostgresOID.oid, 4): return Int64(UInt32(bigEndianBytes: bytes))
        default: throw mismatch(i, "an integer")
        }
    }

    private func mismatch(_ i: Int, _ wanted: String) -> QuaeroError {
        let name = PQfname(result.handle, Int32(i)).map { String(cString: $0) } ?? "?"
        return QuaeroError(.decoding, "column \(i) (\(name)) of a PostgreSQL row has type OID \(type(i)), which cannot be read as \(wanted)")
    }
}

extension FixedWidthInteger {
    /// The integer whose network-order bytes are `bytes` (exactly its size).
    init(bigEndianBytes bytes: UnsafeBufferPointer<UInt8>) {
        var value = Self.zero
        for byte in bytes { value = value << 8 | Self(byte) }
        self = value
    }
}

/// Reads a binary value front to back; nil past its end.
private struct BinaryReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func int32() -> Int32? {
        guard let slice = self.bytes(4) else { return nil }
        return Int32(bitPattern: UInt32(bigEndianBytes: slice))
    }

    mutating func bytes(_ count: Int) -> UnsafeBufferPointer<UInt8>? {
        guard count >= 0, at + count <= bytes.count else { return nil }
        defer { at += count }
        return UnsafeBufferPointer(rebasing: bytes[at..<(at + count)])
    }
}
