import Quaero
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import QuaeroQueue

/// Reading requests: the JSON body (within the size limit) and query and path parameters, each with an
/// error that names what is wrong.
enum APIRequest {
    /// The body as a JSON object.
    /// - Throws: 413 over `APIRoutes.maxBodyBytes`, 400 for JSON that does not parse, 422 for JSON that is
    ///   not an object or holds a number beyond ±(2^53 − 1).
    static func jsonObject(_ request: Request) async throws -> [String: JSONValue] {
        try await jsonObject(request, emptyAllowed: false)
    }

    /// The body as a JSON object, or an empty object when the body is empty (an optional body).
    static func optionalJSONObject(_ request: Request) async throws -> [String: JSONValue] {
        try await jsonObject(request, emptyAllowed: true)
    }

    private static func jsonObject(_ request: Request, emptyAllowed: Bool) async throws -> [String: JSONValue] {
        let buffer = try await request.body.collect(upTo: APIRoutes.maxBodyBytes)
        if emptyAllowed, buffer.readableBytesView.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) { return [:] }
        let value: JSONValue
        do {
            value = try JSONValue.parse(Data(buffer.readableBytesView), what: "the request body")
        } catch let error as QuaeroError {
            throw APIError(.badRequest, code: "malformed_json", error.message)
        }
        guard let object = value.objectValue else {
            throw APIError(.unprocessableContent, code: "invalid_body", "the request body must be a JSON object")
        }
        if let (path, number) = firstInexactNumber(in: value, at: "") {
            let shown = number.rounded() == number && abs(number) < 1e18 ? "\(Int64(number))" : "\(number)"
            throw APIError(.unprocessableContent, code: "invalid_body",
                           "\(path) is \(shown), beyond ±\(maxExactInteger), the largest whole number JSON carries exactly")
        }
        return object
    }

    /// 2^53 − 1: past it a JSON number is no longer exact (it is a double), so 2^53 + 1 would be read as 2^53.
    static let maxExactInteger: Int64 = 9_007_199_254_740_991

    /// The path and value of the first number in `value` beyond ±`maxExactInteger`, if any.
    private static func firstInexactNumber(in value: JSONValue, at path: String) -> (String, Double)? {
        switch value {
        case .number(let number) where abs(number) > Double(maxExactInteger):
            return (path.isEmpty ? "the body" : path, number)
        case .array(let items):
            return items.indices.lazy.compactMap { firstInexactNumber(in: items[$0], at: "\(path)[\($0)]") }.first
        case .object(let members):
            return members.keys.sorted().lazy.compactMap { key in
                firstInexactNumber(in: members[key]!, at: path.isEmpty ? key : "\(path).\(key)")
            }.first
        default:
            return nil
        }
    }

    /// The path parameter `name` (the route guarantees it is there).
    static func path(_ context: some RequestContext, _ name: String) throws -> String {
        guard let value = context.parameters.get(name), !value.isEmpty else {
            throw APIError(.badRequest, code: "invalid_path", "the path needs a \(name)")
        }
        return value
    }

    /// The path parameter `id` as a job id. One far longer than any job id is a 404 whose message gives its
    /// length rather than quoting it.
    static func jobID(_ context: some RequestContext) throws -> String {
        let id = try path(context, "id")
        guard id.utf8.count <= maxJobIDLength else {
            throw APIError(.notFound, code: "not_found",
                           "no job has an id of \(id.utf8.count) characters (job ids have 26); list jobs with GET /api/jobs")
        }
        return id
    }

    /// Longer path ids are refused without a look in the database.
    static let maxJobIDLength = 64

    /// The path parameter `name` as a positive whole number.
    static func pathNumber(_ context: some RequestContext, _ name: String) throws -> Int64 {
        let text = try path(context, name)
        guard let number = Int64(text), number > 0 else {
            throw APIError(.badRequest, code: "invalid_path", "\(name) must be a positive whole number, not \"\(text)\"")
        }
        return number
    }

    /// The query parameter `name` decoded as a form field (`+` is a space), nil when absent.
    /// - Throws: 400 when the query string has a malformed percent-escape.
    static func query(_ request: Request, _ name: String) throws -> String? {
        try FormQuery(request.uri.query).first(name)
    }

    /// A log level exactly as the API names them (the CLI is lenient about case and spaces; the API takes
    /// what its document lists).
    static func logLevel(_ text: String) throws -> LogLevel {
        guard let level = LogLevel(rawValue: text) else {
            throw APIError(.badRequest, code: "invalid_query",
                           "level must be one of \(LogLevel.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(text)\"")
        }
        return level
    }

    /// The query parameter `name` as a whole number, `fallback` when absent.
    static func queryInt(_ request: Request, _ name: String, default fallback: Int) throws -> Int {
        guard let text = try query(request, name) else { return fallback }
        guard let number = Int(text) else {
            throw APIError(.badRequest, code: "invalid_query", "query parameter \(name) must be a whole number, not \"\(text)\"")
        }
        return number
    }

    /// The query parameter `name` as a boolean (`true`/`false`/`1`/`0`), false when absent.
    static func queryBool(_ request: Request, _ name: String) throws -> Bool {
        switch try query(request, name) {
        case nil, "false", "0": return false
        case "true", "1", "": return true
        case let text?:
            throw APIError(.badRequest, code: "invalid_query", "query parameter \(name) must be true or false, not \"\(text)\"")
        }
    }
}
