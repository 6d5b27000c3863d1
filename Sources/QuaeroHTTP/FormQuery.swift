import Quaero
import Foundation
import HTTPTypes

/// A query string decoded the way HTML forms and HTTP clients encode it (`application/x-www-form-urlencoded`):
/// `+` is a space and percent-escapes are decoded, in names and values alike. Hummingbird's own
/// `queryParameters` keeps `+` as it is, so `q=queue+AND+sqlite` would search for "queue+AND+sqlite".
struct FormQuery {
    private let pairs: [(name: String, value: String)]

    /// Decodes `query` (the part after `?`, nil when there is none).
    /// - Throws: 400 naming the parameter when an escape is malformed or does not decode to UTF-8.
    init(_ query: String?) throws {
        pairs = try (query ?? "").split(separator: "&", omittingEmptySubsequences: true).map { field in
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.decode(parts[0], in: field)
            return (name, parts.count > 1 ? try Self.decode(parts[1], in: field) : "")
        }
    }

    /// Every parameter in order.
    var all: [(name: String, value: String)] { pairs }

    /// The value of the first parameter called `name`, nil when absent.
    func first(_ name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    private static func decode(_ text: Substring, in field: Substring) throws -> String {
        guard let decoded = text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
            let shown = field.count > 60 ? field.prefix(60) + "…" : field
            throw APIError(.badRequest, code: "invalid_query",
                           "the query string's \"\(shown)\" has a malformed percent-escape (write % as %25)")
        }
        return decoded
    }
}
