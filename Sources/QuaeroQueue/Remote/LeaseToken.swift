/// The lease token an HTTP worker gets with each job it claims and gives back with every call about that job
/// (heartbeat, progress, logs, complete, fail): it names one delivery of the job's message and the lease
/// duration of the claim, by which each heartbeat extends the lease.
///
/// Its text is opaque to workers: `q1-` and 40 lowercase hexadecimal digits (the message id, the delivery's
/// lease and the lease duration in milliseconds, 16 + 16 + 8 digits). Every text of that form parses, so that
/// a token that is well formed but names no current delivery is told apart from one that is not a token at
/// all: the first is a lost lease (409 `lease_lost`), the second a bad request.
public struct LeaseToken: Hashable, Sendable, LosslessStringConvertible {
    /// The delivery it names.
    public let receipt: Receipt
    /// How long each heartbeat extends the lease (the claim's `lease`).
    public let duration: Duration

    /// The token of `receipt` for a claim whose lease lasts `duration` (clamped to `WorkerProtocol.leaseRange`).
    public init(receipt: Receipt, duration: Duration) {
        self.receipt = receipt
        self.duration = min(max(duration, WorkerProtocol.leaseRange.lowerBound), WorkerProtocol.leaseRange.upperBound)
    }

    /// The prefix of every token; the digit is the format's version.
    public static let prefix = "q1-"
    /// The length of every token.
    public static let length = prefix.count + 40
    /// The token's form as a regular expression (the OpenAPI document states it).
    public static let pattern = "^q1-[0-9a-f]{40}$"

    /// Parses a token; nil when `description` is not of the token's form.
    public init?(_ description: String) {
        let utf8 = Array(description.utf8)
        guard utf8.count == Self.length, description.hasPrefix(Self.prefix) else { return nil }
        let digits = utf8[Self.prefix.count...]
        guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }),
              let message = UInt64(String(decoding: digits.prefix(16), as: UTF8.self), radix: 16),
              let lease = UInt64(String(decoding: digits.dropFirst(16).prefix(16), as: UTF8.self), radix: 16),
              let millis = UInt32(String(decoding: digits.suffix(8), as: UTF8.self), radix: 16)
        else { return nil }
        self.init(receipt: Receipt(messageID: Int64(bitPattern: message), lease: Int64(bitPattern: lease)),
                  duration: .milliseconds(Int64(millis)))
    }

    public var description: String {
        Self.prefix + Self.hex(UInt64(bitPattern: receipt.messageID), digits: 16)
            + Self.hex(UInt64(bitPattern: receipt.lease), digits: 16) + Self.hex(UInt64(duration.milliseconds), digits: 8)
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
