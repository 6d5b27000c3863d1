import Foundation
public import QuaeroQueue

/// The JSON shape of a dead letter (DESIGN §9): `{"id", "type", "body", "received", "error", "dead_at"}`.
/// The body is embedded as JSON when it parses, else given as a string.
public struct DeadLetterJSON: Encodable, Sendable {
    let id: MessageID
    let type: String?
    let body: JSONValue
    let received: Int
    let error: String?
    let deadAt: String

    /// The JSON form of `letter`.
    public init(_ letter: DeadLetter) {
        id = letter.id
        type = letter.type
        body = (try? JSONValue.parse(letter.body)) ?? .string(String(decoding: letter.body, as: UTF8.self))
        received = letter.received
        error = letter.error
        deadAt = APIJSON.timestamp(milliseconds: letter.deadAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, type, body, received, error, deadAt = "dead_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(body, forKey: .body)
        try container.encode(received, forKey: .received)
        try container.encode(error, forKey: .error)
        try container.encode(deadAt, forKey: .deadAt)
    }
}
