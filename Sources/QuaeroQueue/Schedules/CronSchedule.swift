import Foundation

/// When a schedule fires: a cron expression of five fields (minute, hour, day of month, month, day of week),
/// a macro (`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`), or
/// `@every <duration>` (fire times at whole multiples of the duration since the Unix epoch, such as
/// `@every 90m`).
///
/// Fields take `*`, a number, a range `a-b`, a step `*/n`, `a-b/n` or `a/n` (from `a` to the field's end),
/// and comma-separated lists of those. Months also take `JAN`…`DEC` and days of the week `SUN`…`SAT`
/// (`0` and `7` are both Sunday), in any case. As in Vixie cron, when both the day of month and the day of
/// week are restricted (neither starts with `*`), a day matches when either does; otherwise when both do.
///
/// Fire times are wall-clock times of a time zone (`nextFire(after:in:)`): a time that a daylight-saving gap
/// skips fires once, at the end of the gap; a time that a repeated hour shows twice fires at its first
/// occurrence only, unless the hour field is `*` (then every occurrence fires, so that a schedule that runs
/// every few minutes keeps running through the repeated hour).
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    enum Kind: Hashable {
        case fields(CronFields)
        case every(Int64)  // milliseconds
    }

    /// The expression as written.
    public let expression: String
    let kind: Kind

    public var description: String { expression }

    private static let macros = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// What `init` accepts, for error messages.
    public static let allowed = "5 cron fields (minute hour day-of-month month day-of-week), @hourly, @daily, @weekly, "
        + "@monthly, @yearly, or @every <duration>"

    /// Parses `expression`.
    ///
    /// - Throws: `invalidArgument` naming the field and value at fault, or an expression that never fires.
    public init(_ expression: String) throws {
        self.expression = expression
        let text = expression.trimmingWhitespace()
        let bad = { (problem: String) in
            QuaeroError(.invalidArgument, "cron \"\(expression)\": \(problem); write \(Self.allowed)")
        }
        if text.lowercased().hasPrefix("@every") {
            let rest = String(text.dropFirst("@every".count))
            guard let interval = DurationText.parse(rest), interval >= .seconds(1) else {
                throw bad("@every needs a duration of at least 1s, such as @every 90m")
            }
            kind = .every(interval.milliseconds)
            return
        }
        var source = text
        if text.hasPrefix("@") {
            guard let fields = Self.macros[text.lowercased()] else { throw bad("unknown macro \(text)") }
            source = fields
        }
        let fields = source.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else { throw bad("it has \(fields.count) fields, not 5") }
        do {
            kind = .fields(try CronFields(fields))
        } catch {
            throw bad(error.message)
        }
        // Feb 30 and the like parse, but never come: refuse them rather than never fire.
        guard nextFire(after: 946_684_800_000, in: TimeZone(identifier: "UTC")!) != nil else { throw bad("it never fires (no such date)") }
    }
}

/// Why one field of a cron expression is wrong.
struct CronFieldError: Error {
    let message: String
}

/// The five fields, each as the set of values it matches (bit `n` set: value `n` matches).
struct CronFields: Hashable {
    let minutes: UInt64
    let hours: UInt64
    let days: UInt64
    let months: UInt64
    /// 0 (Sunday) to 6.
    let weekdays: UInt64
    /// Whether the field starts with `*` (Vixie cron's rule for combining days of month and of week).
    let daysStar: Bool
    let weekdaysStar: Bool
    let hoursStar: Bool

    private struct Field {
        let name: String
        let range: ClosedRange<Int>
        let names: [String: Int]
    }

    private static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    private static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
    private static let layout = [
        Field(name: "minute", range: 0...59, names: [:]),
        Field(name: "hour", range: 0...23, names: [:]),
        Field(name: "day of month", range: 1...31, names: [:]),
        Field(name: "month", range: 1...12,
              names: Dictionary(uniqueKeysWithValues: monthNames.enumerated().map { ($1, $0 + 1) })),
        Field(name: "day of week", range: 0...7, names: Dictionary(uniqueKeysWithValues: dayNames.enumerated().map { ($1, $0) })),
    ]

    init(_ texts: [String]) throws(CronFieldError) {
        var sets: [UInt64] = []
        for (text, field) in zip(texts, Self.layout) { sets.append(try Self.parse(text, field)) }
        minutes = sets[0]
        hours = sets[1]
        days = sets[2]
        months = sets[3]
        // 7 is Sunday too.
        weekdays = (sets[4] | (sets[4] >> 7)) & 0x7F
        hoursStar = texts[1].hasPrefix("*")
        daysStar = texts[2].hasPrefix("*")
        weekdaysStar = texts[4].hasPrefix("*")
    }

    private static func parse(_ text: String, _ field: Field) throws(CronFieldError) -> UInt64 {
        var set: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let fail = { (problem: String) in CronFieldError(message: "the \(field.name) field \"\(text)\": \(problem)") }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let head = parts.first, !head.isEmpty else { throw fail("\"\(item)\" is not a value, range or step") }
            var step = 1
            if parts.count == 2 {
                guard let value = Int(parts[1]), value >= 1 else { throw fail("the step in \"\(item)\" is not a whole number ≥ 1") }
                step = value
            }
            var low: Int
            var high: Int
            if head == "*" {
                (low, high) = (field.range.lowerBound, field.range.upperBound)
            } else {
                let bounds = head.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2 else { throw fail("\"\(item)\" is not a value, range or step") }
                low = try value(bounds[0], field, fail)
                high = bounds.count == 2 ? try value(bounds[1], field, fail) : (parts.count == 2 ? field.range.upperBound : low)
                guard low <= high else { throw fail("the range \"\(head)\" runs backwards") }
            }
            for value in stride(from: low, through: high, by: step) { set |= 1 << UInt64(value) }
        }
        return set
    }

    private static func value(_ text: Substring, _ field: Field, _ fail: (String) -> CronFieldError) throws(CronFieldError) -> Int {
        let value = Int(text) ?? field.names[text.uppercased()]
        guard let value else { throw fail("\"\(text)\" is not a number\(field.names.isEmpty ? "" : " or a name")") }
        guard field.range.contains(value) else {
            throw fail("\(value) is out of range \(field.range.lowerBound)-\(field.range.upperBound)")
        }
        return value
    }

    /// Whether a day matches: by day of month and day of week, or by either when both are restricted (neither
    /// starts with `*`), as Vixie cron does.
    func dayMatches(day: Int, weekday: Int) -> Bool {
        let byDay = days & (1 << UInt64(day)) != 0
        let byWeekday = weekdays & (1 << UInt64(weekday)) != 0
        return daysStar || weekdaysStar ? byDay && byWeekday : byDay || byWeekday
    }
}
