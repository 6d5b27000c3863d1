import Foundation

/// Times as the JSON shapes write them.
public enum RFC3339 {
    /// UTC milliseconds since the epoch as `2026-01-01T00:00:00.123Z`. The milliseconds are written from the
    /// integer, since a `Date` (a Double of seconds) can round them down by one.
    public static func string(millis: Int64) -> String {
        let (seconds, fraction) = millis.quotientAndRemainder(dividingBy: 1000)
        let (whole, ms) = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        let base = Date(timeIntervalSince1970: Double(whole)).ISO8601Format()  // ends in "Z"
        let digits = String(ms)
        return base.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }
}
