#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The random tokens that name deliveries (`Receipt.lease`), drawn from the system's random source 64 at a time.
///
/// `SystemRandomNumberGenerator` makes one `getrandom` system call per token: about 12 % of a receive's own
/// time in `quaero bench` (perf, receive_delete_per_s, 2026-11-28). `arc4random_buf` fills the whole buffer with
/// the same kernel randomness in one call, so the tokens stay unpredictable.
final class LeaseTokens: Sendable {
    private struct Buffer {
        var values = [UInt64](repeating: 0, count: 64)
        var next = 64
    }
    private let buffer = Mutex(Buffer())

    /// A fresh random token.
    func next() -> Int64 {
        buffer.withLock { b in
            if b.next == b.values.count {
                b.values.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
                b.next = 0
            }
            defer { b.next += 1 }
            return Int64(bitPattern: b.values[b.next])
        }
    }
}
