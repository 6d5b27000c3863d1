import Foundation

/// Job ids: 26 characters of Crockford base32 (lowercase), 48 bits of milliseconds then 80 random bits, so
/// ids sort by creation time and never collide in practice.
enum JobID {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    static func generate(nowMillis: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) -> String {
        var bytes = [UInt8](repeating: 0, count: 26)
        var time = UInt64(nowMillis)
        for i in stride(from: 9, through: 0, by: -1) {
            bytes[i] = alphabet[Int(time & 31)]
            time >>= 5
        }
        var random = SystemRandomNumberGenerator()
        var high = random.next() as UInt64
        var low = random.next() as UInt64
        for i in 10..<26 {
            let bits = (i < 22) ? high : low
            bytes[i] = alphabet[Int(bits & 31)]
            if i < 22 { high >>= 5 } else { low >>= 5 }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `id` has the shape of a job id.
    static func isValid(_ id: String) -> Bool {
        id.utf8.count == 26 && id.utf8.allSatisfy { alphabet.contains($0) }
    }
}
