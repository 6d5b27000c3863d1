import Foundation
import Synchronization

/// Job ids: 26 characters of Crockford base32 (lowercase), 48 bits of milliseconds then 80 random bits, so
/// ids sort by creation time and never collide in practice. Within one process they are strictly increasing:
/// an id made in the same millisecond as the previous one is the previous one plus one (as ULID's monotonic
/// mode), so "newest first" by id is exact.
enum JobID {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
    private static let mask40: UInt64 = (1 << 40) - 1
    /// The last id's time and random halves (40 bits each).
    private static let last = Mutex<(millis: Int64, high: UInt64, low: UInt64)>((0, 0, 0))

    static func generate(nowMillis: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) -> String {
        let (millis, high, low) = last.withLock { last -> (Int64, UInt64, UInt64) in
            if nowMillis <= last.millis {
                var (high, low) = (last.high, last.low + 1)
                if low > mask40 { (high, low) = ((high + 1) & mask40, 0) }
                last = (last.millis, high, low)
            } else {
                var random = SystemRandomNumberGenerator()
                // The top bit of each half starts clear, so increments within a millisecond cannot overflow.
                last = (nowMillis, random.next() & (mask40 >> 1), random.next() & (mask40 >> 1))
            }
            return last
        }
        var bytes = [UInt8](repeating: 0, count: 26)
        encode(UInt64(millis), into: &bytes, at: 0, count: 10)
        encode(high, into: &bytes, at: 10, count: 8)
        encode(low, into: &bytes, at: 18, count: 8)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the low `count` × 5 bits of `value`, most significant first.
    private static func encode(_ value: UInt64, into bytes: inout [UInt8], at start: Int, count: Int) {
        var value = value
        for i in stride(from: start + count - 1, through: start, by: -1) {
            bytes[i] = alphabet[Int(value & 31)]
            value >>= 5
        }
    }

    /// The smallest id made at `millis` (UTC milliseconds): ids compare as strings in time order, so the ids
    /// made from `millis` on are those `>=` this one.
    static func lowerBound(millis: Int64) -> String {
        var bytes = [UInt8](repeating: alphabet[0], count: 26)
        encode(UInt64(max(0, min(millis, (1 << 48) - 1))), into: &bytes, at: 0, count: 10)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `id` has the shape of a job id.
    static func isValid(_ id: String) -> Bool {
        id.utf8.count == 26 && id.utf8.allSatisfy { alphabet.contains($0) }
    }
}
