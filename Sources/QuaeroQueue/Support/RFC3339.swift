import Foundation

/// Times as the JSON shapes write them.
public enum RFC3339 {
    /// UTC milliseconds since the epoch as `2026-01-01T00:00:00.123Z`. The milliseconds are written from the
    /// integer, since a `Date` (a Double of seconds) can round them down by one.
    public static func string(millis: Int64) -> String {
        let (seconds, fraction) = millis.quotientAndRemainder(dividingBy: 1000)
        let (whole, ms) = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        let (days, second) = whole.quotientAndRemainder(dividingBy: 86_400)
        let (day, secondOfDay) = second < 0 ? (days - 1, second + 86_400) : (days, second)
        let date = CivilDate(days: day)  // in CronSchedule+Next.swift
        // Four-digit years only: beyond them, RFC 3339 has no form, and Foundation's spelling is kept.
        guard (0...9999).contains(date.year) else {
            let base = Date(timeIntervalSince1970: Double(whole)).ISO8601Format()
            return base.dropLast() + "." + String(format: "%03d", Int(ms)) + "Z"
        }
        // Written digit by digit: every job in an API answer carries up to four of these, and
        // `Date.ISO8601Format()` was 4.7 % of the server's time in the HTTP workers' benchmark (perf, release).
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var at = 0
            func put(_ value: Int64, digits: Int) {
                var rest = value
                for offset in stride(from: digits - 1, through: 0, by: -1) {
                    buffer[at + offset] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                at += digits
            }
            func put(_ character: Unicode.Scalar) {
                buffer[at] = UInt8(ascii: character)
                at += 1
            }
            put(Int64(date.year), digits: 4); put("-"); put(Int64(date.month), digits: 2); put("-"); put(Int64(date.day), digits: 2)
            put("T"); put(secondOfDay / 3600, digits: 2); put(":"); put(secondOfDay / 60 % 60, digits: 2); put(":")
            put(secondOfDay % 60, digits: 2); put("."); put(ms, digits: 3); put("Z")
            return at
        }
    }
}
