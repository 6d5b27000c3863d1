public import Foundation
import QuaeroQueue

/// The JSON conventions of the CLI's `--json` output and the HTTP API: snake_case keys (set by each shape),
/// times as RFC 3339 strings, sorted keys so output is stable.
public enum APIJSON {
    /// Encodes `value` as JSON text; pretty-printed for people, compact for machines.
    public static func encode(_ value: some Encodable, pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// A UTC time in milliseconds since the epoch as RFC 3339 with milliseconds: `2026-11-23T01:56:34.120Z`.
    public static func timestamp(milliseconds: Int64) -> String {
        RFC3339.string(millis: milliseconds)
    }
}
