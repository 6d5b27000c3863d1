import Foundation
import QuaeroQueue
import Testing

@Suite("RFC 3339 times")
struct RFC3339Tests {
    /// Foundation's spelling, the reference the fast path must match.
    private func reference(_ millis: Int64) -> String {
        let (seconds, fraction) = millis.quotientAndRemainder(dividingBy: 1000)
        let (whole, ms) = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        return Date(timeIntervalSince1970: Double(whole)).ISO8601Format().dropLast() + "." + String(format: "%03d", Int(ms)) + "Z"
    }

    @Test("the digits match Foundation's across four centuries, leap days and negative times")
    func matchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        // 1600-01-01 to 2400-01-01, with the edges of days, leap years and the epoch.
        let edges: [Int64] = [0, -1, 1, 999, 1000, -1000, -1001, 86_399_999, 86_400_000, 951_782_400_000,
                              951_868_799_999, 4_107_542_400_000, -11_676_096_000_000, 13_569_465_600_000 - 1]
        let random = (0..<20_000).map { _ in Int64.random(in: -11_676_096_000_000..<13_569_465_600_000, using: &generator) }
        for millis in edges + random {
            #expect(RFC3339.string(millis: millis) == reference(millis), "at \(millis) ms")
        }
    }

    @Test("a known instant")
    func knownInstant() {
        #expect(RFC3339.string(millis: 1_795_744_594_120) == "2026-11-27T01:56:34.120Z")
        #expect(RFC3339.string(millis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.string(millis: -1) == "1969-12-31T23:59:59.999Z")
    }
}
