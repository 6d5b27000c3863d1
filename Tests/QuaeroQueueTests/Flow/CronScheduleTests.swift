import Foundation
import QuaeroQueue
import Testing

/// Cron parsing and next-fire maths: pure, no store.
@Suite("Cron schedules")
struct CronScheduleTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let newYork = TimeZone(identifier: "America/New_York")!
    static let paris = TimeZone(identifier: "Europe/Paris")!

    /// UTC milliseconds of an RFC 3339 time such as `2026-03-08T06:59:00Z`.
    static func at(_ text: String) -> Int64 {
        Int64(try! Date(text, strategy: .iso8601).timeIntervalSince1970 * 1000)
    }

    /// The next `count` fire times after `start`, as RFC 3339 text.
    static func fires(_ expression: String, after start: String, count: Int = 1, in zone: TimeZone = utc) throws -> [String] {
        let cron = try CronSchedule(expression)
        var times: [String] = []
        var last = at(start)
        for _ in 0..<count {
            guard let next = cron.nextFire(after: last, in: zone) else { break }
            times.append(Date(timeIntervalSince1970: Double(next) / 1000).ISO8601Format())
            last = next
        }
        return times
    }

    @Test("fields: values, ranges, steps, lists, names, 7 as Sunday, and macros")
    func fields() throws {
        #expect(try Self.fires("*/15 * * * *", after: "2026-01-05T10:07:00Z", count: 3)
                == ["2026-01-05T10:15:00Z", "2026-01-05T10:30:00Z", "2026-01-05T10:45:00Z"])
        #expect(try Self.fires("5,10-12 8 * * *", after: "2026-01-05T08:06:00Z", count: 4)
                == ["2026-01-05T08:10:00Z", "2026-01-05T08:11:00Z", "2026-01-05T08:12:00Z", "2026-01-06T08:05:00Z"])
        #expect(try Self.fires("0 10-20/5 * * *", after: "2026-01-05T00:00:00Z", count: 3)
                == ["2026-01-05T10:00:00Z", "2026-01-05T15:00:00Z", "2026-01-05T20:00:00Z"])
        #expect(try Self.fires("0 22/1 * * *", after: "2026-01-05T21:30:00Z", count: 3)
                == ["2026-01-05T22:00:00Z", "2026-01-05T23:00:00Z", "2026-01-06T22:00:00Z"])
        // 2026-01-09 is a Friday: weekdays run Monday to Friday.
        #expect(try Self.fires("0 9 * * MON-FRI", after: "2026-01-09T10:00:00Z", count: 2)
                == ["2026-01-12T09:00:00Z", "2026-01-13T09:00:00Z"])
        #expect(try Self.fires("0 0 * * 7", after: "2026-01-05T00:00:00Z") == ["2026-01-11T00:00:00Z"])
        #expect(try Self.fires("0 0 * * sun", after: "2026-01-05T00:00:00Z") == ["2026-01-11T00:00:00Z"])
        #expect(try Self.fires("0 0 1 jan,Jul *", after: "2026-01-05T00:00:00Z", count: 2)
                == ["2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z"])
        #expect(try Self.fires("@hourly", after: "2026-01-05T10:07:00Z") == ["2026-01-05T11:00:00Z"])
        #expect(try Self.fires("@daily", after: "2026-01-05T10:07:00Z") == ["2026-01-06T00:00:00Z"])
        #expect(try Self.fires("@weekly", after: "2026-01-05T10:07:00Z") == ["2026-01-11T00:00:00Z"])
        #expect(try Self.fires("@monthly", after: "2026-01-05T10:07:00Z") == ["2026-02-01T00:00:00Z"])
        #expect(try Self.fires("@yearly", after: "2026-01-05T10:07:00Z") == ["2027-01-01T00:00:00Z"])
        #expect(try Self.fires("@annually", after: "2026-01-05T10:07:00Z") == ["2027-01-01T00:00:00Z"])
        #expect(try Self.fires("@midnight", after: "2026-01-05T10:07:00Z") == ["2026-01-06T00:00:00Z"])
    }

    @Test("day of month and day of week: either matches when both are restricted, both when one starts with *")
    func daysCombine() throws {
        // The 13th, and every Friday (2026-02-13 is a Friday, 2026-02-06 too).
        #expect(try Self.fires("0 0 13 * FRI", after: "2026-02-01T00:00:00Z", count: 4)
                == ["2026-02-06T00:00:00Z", "2026-02-13T00:00:00Z", "2026-02-20T00:00:00Z", "2026-02-27T00:00:00Z"])
        #expect(try Self.fires("0 0 10 * MON", after: "2026-03-01T00:00:00Z", count: 3)
                == ["2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z"])
        // `*/2` starts with `*`: only the days of week count, on odd days of the month.
        #expect(try Self.fires("0 0 */2 * MON", after: "2026-03-01T00:00:00Z", count: 2)
                == ["2026-03-09T00:00:00Z", "2026-03-23T00:00:00Z"])
    }

    @Test("29 February fires in leap years only; @every fires at multiples of its period since the epoch")
    func leapDaysAndEvery() throws {
        #expect(try Self.fires("0 12 29 2 *", after: "2026-01-01T00:00:00Z", count: 2)
                == ["2028-02-29T12:00:00Z", "2032-02-29T12:00:00Z"])
        #expect(try Self.fires("@every 90m", after: "2026-01-01T00:10:00Z", count: 3)
                == ["2026-01-01T01:30:00Z", "2026-01-01T03:00:00Z", "2026-01-01T04:30:00Z"])
        #expect(try Self.fires("@every 1h", after: "2026-01-01T00:00:00Z") == ["2026-01-01T01:00:00Z"])
    }

    @Test("a time zone's wall clock, in winter and in summer")
    func timeZones() throws {
        #expect(try Self.fires("0 9 * * *", after: "2026-01-05T00:00:00Z", in: Self.paris) == ["2026-01-05T08:00:00Z"])
        #expect(try Self.fires("0 9 * * *", after: "2026-07-05T00:00:00Z", in: Self.paris) == ["2026-07-05T07:00:00Z"])
        // @every ignores the zone: its fire times are instants.
        #expect(try Self.fires("@every 1h", after: "2026-01-05T00:30:00Z", in: Self.paris) == ["2026-01-05T01:00:00Z"])
    }

    @Test("a time in a daylight-saving gap fires once, at the end of the gap")
    func dstGap() throws {
        // New York, 2026-03-08: at 02:00 EST (07:00Z) the clocks jump to 03:00 EDT; 02:30 does not exist.
        #expect(try Self.fires("30 2 * * *", after: "2026-03-07T12:00:00Z", count: 3, in: Self.newYork)
                == ["2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"])
        // Every 15 minutes: the four times in the gap collapse into one, at 03:00 EDT.
        #expect(try Self.fires("*/15 * * * *", after: "2026-03-08T06:40:00Z", count: 4, in: Self.newYork)
                == ["2026-03-08T06:45:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:15:00Z", "2026-03-08T07:30:00Z"])
    }

    @Test("a time in a repeated hour fires once, unless the hour field is *")
    func dstRepeat() throws {
        // New York, 2026-11-01: at 02:00 EDT (06:00Z) the clocks go back to 01:00 EST; 01:30 happens twice.
        #expect(try Self.fires("30 1 * * *", after: "2026-10-31T12:00:00Z", count: 2, in: Self.newYork)
                == ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"])
        // From within the second 01:xx, the first 01:30 is past: the next is the day after.
        #expect(try Self.fires("30 1 * * *", after: "2026-11-01T06:10:00Z", in: Self.newYork) == ["2026-11-02T06:30:00Z"])
        // Every 30 minutes: both passes fire, in the order they happen.
        #expect(try Self.fires("*/30 * * * *", after: "2026-11-01T05:00:00Z", count: 4, in: Self.newYork)
                == ["2026-11-01T05:30:00Z", "2026-11-01T06:00:00Z", "2026-11-01T06:30:00Z", "2026-11-01T07:00:00Z"])
        #expect(try Self.fires("*/15 * * * *", after: "2026-11-01T05:40:00Z", count: 2, in: Self.newYork)
                == ["2026-11-01T05:45:00Z", "2026-11-01T06:00:00Z"])
    }

    @Test("fires(after:through:) lists the fire times of a span, oldest first, at most a limit")
    func firesInSpan() throws {
        let cron = try CronSchedule("@hourly")
        let start = Self.at("2026-01-01T00:00:00Z")
        #expect(cron.fires(after: start, through: start + 3 * 3_600_000, in: Self.utc, limit: 10)
                == [1, 2, 3].map { start + $0 * 3_600_000 })
        #expect(cron.fires(after: start, through: start + 3 * 3_600_000, in: Self.utc, limit: 2).count == 2)
        #expect(cron.fires(after: start, through: start + 3_599_999, in: Self.utc, limit: 10).isEmpty)
    }

    @Test("bad expressions are refused with the field and value at fault", arguments: [
        ("* * * *", "4 fields, not 5"),
        ("* * * * * *", "6 fields, not 5"),
        ("60 * * * *", "the minute field \"60\": 60 is out of range 0-59"),
        ("* 24 * * *", "the hour field \"24\": 24 is out of range 0-23"),
        ("* * 0 * *", "the day of month field \"0\": 0 is out of range 1-31"),
        ("* * * 13 *", "the month field \"13\": 13 is out of range 1-12"),
        ("* * * * 8", "the day of week field \"8\": 8 is out of range 0-7"),
        ("*/0 * * * *", "the step in \"*/0\" is not a whole number ≥ 1"),
        ("5-1 * * * *", "the range \"5-1\" runs backwards"),
        ("1,,2 * * * *", "\"\" is not a value, range or step"),
        ("* * * FOO *", "\"FOO\" is not a number or a name"),
        ("0 0 30 2 *", "it never fires"),
        ("@fortnightly", "unknown macro @fortnightly"),
        ("@every 500ms", "@every needs a duration of at least 1s"),
        ("@every", "@every needs a duration of at least 1s"),
        ("", "0 fields, not 5"),
    ])
    func refusesBadExpressions(_ expression: String, _ problem: String) {
        let error = #expect(throws: QuaeroError.self) { try CronSchedule(expression) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("cron \"\(expression)\"") == true)
    }

    @Test("rates parse as count/period and space their starts evenly")
    func rates() throws {
        #expect(try Rate.parse("10/s").interval == .milliseconds(100))
        #expect(try Rate.parse("1/500ms").interval == .milliseconds(500))
        #expect(try Rate.parse(" 100 / m ").interval == .milliseconds(600))
        #expect(try Rate.parse("5/2s").interval == .milliseconds(400))
        for bad in ["", "10", "0/s", "-1/s", "x/s", "10/", "10/0s", "10/parsec", "1/2/3"] {
            let error = #expect(throws: QuaeroError.self) { try Rate.parse(bad) }
            #expect(error?.message.contains("rate \"\(bad)\"") == true)
        }
    }
}
