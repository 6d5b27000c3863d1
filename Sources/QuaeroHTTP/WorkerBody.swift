import Quaero
import HTTPTypes
import QuaeroQueue

/// The JSON body of a worker protocol request, read member by member; each problem is a 422 `invalid_body`
/// that names the member. Lengths count Unicode scalars, as JSON Schema's `maxLength` does (the OpenAPI
/// document states every limit).
struct WorkerBody {
    let object: [String: JSONValue]

    /// Checks that every member of `object` is one of `allowed`.
    init(_ object: [String: JSONValue], allowed: [String]) throws {
        for key in object.keys.sorted() where !allowed.contains(key) {
            throw Self.invalid("unknown member \"\(key.prefix(100))\"; this request has \(allowed.joined(separator: ", "))")
        }
        self.object = object
    }

    /// The member `key`, nil when absent (a null is a value: of the wrong type, except for a job's result).
    func value(_ key: String) -> JSONValue? { object[key] }

    /// A string of 1...`maxLength` scalars, nil when absent.
    func string(_ key: String, maxLength: Int) throws -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.stringValue else { throw Self.invalid("\(key) must be a string") }
        try Self.checkLength(text, of: key, max: maxLength)
        return text
    }

    /// As `string`, required.
    func requiredString(_ key: String, maxLength: Int) throws -> String {
        guard let text = try string(key, maxLength: maxLength) else { throw Self.invalid("\(key) is required") }
        return text
    }

    /// A whole number within `range`, nil when absent.
    func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.intValue, range.contains(number) else {
            throw Self.invalid("\(key) must be a whole number within \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    /// true or false, nil when absent.
    func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw Self.invalid("\(key) must be true or false") }
        return flag
    }

    /// A duration written as text (`500ms`, `20s`, `1m30s`) within `range`, nil when absent.
    func duration(_ key: String, in range: ClosedRange<Duration>) throws -> Duration? {
        guard let value = value(key) else { return nil }
        let shown = "\(DurationText.format(range.lowerBound))...\(DurationText.format(range.upperBound))"
        guard let text = value.stringValue, let duration = DurationText.parse(text) else {
            throw Self.invalid("\(key) must be \(DurationText.allowed) within \(shown)")
        }
        guard range.contains(duration) else {
            throw Self.invalid("\(key) is \(DurationText.format(duration)); it must be within \(shown)")
        }
        return duration
    }

    /// The lease token in `lease` (required).
    /// - Throws: 422 `invalid_lease` for a text that is not a lease token (one that is, but names no current
    ///   delivery, is a 409 `lease_lost` later).
    func lease() throws -> LeaseToken {
        let text = try requiredString("lease", maxLength: LeaseToken.length)
        guard let token = LeaseToken(text) else {
            throw APIError(.unprocessableContent, code: "invalid_lease",
                           "lease is not a lease token (\(LeaseToken.prefix) and 40 hex digits, as a claim gave it); give the token of the job's claim")
        }
        return token
    }

    static func checkLength(_ text: String, of key: String, max: Int) throws {
        let length = text.unicodeScalars.count
        guard (1...max).contains(length) else {
            throw invalid("\(key) must be 1 to \(max) characters long, not \(length)")
        }
    }

    static func invalid(_ message: String) -> APIError {
        APIError(.unprocessableContent, code: "invalid_body", message)
    }
}
