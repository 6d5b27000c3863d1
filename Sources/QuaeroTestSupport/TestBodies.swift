public import Foundation
public import QuaeroQueue

extension Data {
    /// UTF-8 bytes of a string, for short test bodies.
    public init(_ text: String) { self = Data(text.utf8) }
}

extension ReceivedMessage {
    /// The body as text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
