import Foundation
import Quaero

/// Prints `value` as pretty JSON in the shapes of the HTTP API (DESIGN §9).
func printJSON(_ value: some Encodable) throws {
    print(String(decoding: try APIJSON.encode(value), as: UTF8.self))
}

/// Prints an array as pretty JSON (`[]` when empty, which Foundation would spread over two lines).
func printJSONArray(_ values: [some Encodable]) throws {
    if values.isEmpty { print("[]") } else { try printJSON(values) }
}

/// Prints `message` to stderr as `quaero: note: ...`: said to the user, not part of the output.
func printNote(_ message: String) {
    FileHandle.standardError.write(Data("quaero: note: \(message)\n".utf8))
}
