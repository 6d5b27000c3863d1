import Foundation

/// JSON as text in a column: how every store writes and reads a job's config, fields and result, so that a
/// record reads back the same whichever store wrote it.
extension JSONValue {
    /// The value as compact JSON text with sorted keys (the stored form).
    public func storedText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// An object as stored: `{}` for an empty one, without an encoder.
    public static func storedText(of object: [String: JSONValue]) throws -> String {
        object.isEmpty ? "{}" : try JSONValue.object(object).storedText()
    }

    /// Reads a stored object; throws `decoding` naming `what` (for example "config") when the text is not one.
    public static func storedObject(_ text: String, what: String) throws -> [String: JSONValue] {
        if text == "{}" { return [:] }  // the common case, without a decoder
        guard let object = try JSONValue.parse(Data(text.utf8), what: "the job's \(what)").objectValue else {
            throw QuaeroError(.decoding, "the job's \(what) is not a JSON object")
        }
        return object
    }
}
