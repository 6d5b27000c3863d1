public import Foundation
public import QuaeroQueue

/// A request to put one job message on the queue, as `quaero send` and `POST /api/queue/messages` take it.
public struct SendRequest: Sendable {
    /// The message, with a new id.
    public let message: JobMessage

    /// Builds the message of `type` from a JSON object whose members become the message's fields
    /// (`parent_id` names the parent job; `id` and `type` are set here and may not be given).
    ///
    /// - Throws: `QuaeroError(.invalidArgument)` when the JSON does not parse, is not an object, names `id`
    ///   or `type`, or the type is empty.
    public init(type: String, json: Data) throws {
        guard !type.isEmpty else {
            throw QuaeroError(.invalidArgument, "the message type is empty; give one such as crawler_url")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(json, what: "the message body")
        } catch let error as QuaeroError {
            let detail = error.message.hasSuffix(".") ? String(error.message.dropLast()) : error.message
            throw QuaeroError(.invalidArgument, "\(detail); give a JSON object such as {\"url\": \"https://example.com\"}")
        }
        guard var fields = value.objectValue else {
            throw QuaeroError(.invalidArgument, "the message body must be a JSON object like {\"url\": \"https://example.com\"}, not \(Self.kind(of: value))")
        }
        for reserved in ["id", "type"] where fields[reserved] != nil {
            throw QuaeroError(.invalidArgument, "the message body may not set \"\(reserved)\": the id is generated and the type is the TYPE argument")
        }
        let parent = fields.removeValue(forKey: "parent_id")
        guard parent == nil || parent == .null || parent?.stringValue != nil else {
            throw QuaeroError(.invalidArgument, "\"parent_id\" must be a string (a job id) or null")
        }
        message = JobMessage(id: JobMessage.newID(), type: JobType(type), parentID: parent?.stringValue, fields: fields)
    }

    private static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
