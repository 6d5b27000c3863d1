import Quaero

/// Prints `value` as pretty JSON in the shapes of the HTTP API (DESIGN §9).
func printJSON(_ value: some Encodable) throws {
    print(String(decoding: try APIJSON.encode(value), as: UTF8.self))
}
