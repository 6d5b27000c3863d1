public import Foundation

/// A queue message that names a job: JSON with `id`, `type`, `parent_id` and the type's own fields at the
/// top level (for example `url`, `depth` and `config` for `crawler_url`).
public struct JobMessage: Sendable, Hashable, Codable {
    /// The job this message runs.
    public var id: String
    /// Its type, which routes it to a handler.
    public var type: JobType
    /// The parent job, if any.
    public var parentID: String?
    /// The type's own fields.
    public var fields: [String: JSONValue]

    /// Creates a message.
    public init(id: String, type: JobType, parentID: String? = nil, fields: [String: JSONValue] = [:]) {
        self.id = id
        self.type = type
        self.parentID = parentID
        self.fields = fields
    }

    /// The `config` field as an object (empty when absent).
    public var config: [String: JSONValue] { fields["config"]?.objectValue ?? [:] }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
    private static let reserved: Set<String> = ["id", "type", "parent_id"]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        id = try container.decode(String.self, forKey: Key("id"))
        type = try container.decode(JobType.self, forKey: Key("type"))
        parentID = try container.decodeIfPresent(String.self, forKey: Key("parent_id"))
        var fields: [String: JSONValue] = [:]
        for key in container.allKeys where !Self.reserved.contains(key.stringValue) {
            fields[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        self.fields = fields
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(id, forKey: Key("id"))
        try container.encode(type, forKey: Key("type"))
        try container.encode(parentID, forKey: Key("parent_id"))
        for (key, value) in fields where !Self.reserved.contains(key) {
            try container.encode(value, forKey: Key(key))
        }
    }

    /// The message as a queue body (compact JSON, keys sorted).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Decodes a queue body; throws `decoding` saying what is wrong with it.
    public static func decode(_ body: Data) throws -> JobMessage {
        do {
            return try JSONDecoder().decode(JobMessage.self, from: body)
        } catch {
            throw QuaeroError(.decoding, "the message body is not a job message: \(JSONValue.describe(error))")
        }
    }

    /// A new, unique, time-ordered job id (26 lowercase characters).
    public static func newID() -> String { JobID.generate() }
}
