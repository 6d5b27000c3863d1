public import Foundation

extension CronSchedule {
    /// The first fire time strictly after `instant` (UTC milliseconds) in `zone`, or nil when there is none
    /// within about ten years.
    public func nextFire(after instant: Int64, in zone: TimeZone) -> Int64? {
        switch kind {
        case .every(let interval):
            return (instant.floorDivided(by: interval) + 1) * interval
        case .fields(let fields):
            return fields.nextFire(after: instant, in: zone)
        }
    }

    /// The fire times after `start` up to and including `end` (UTC milliseconds), oldest first, at most `limit`.
    public func fires(after start: Int64, through end: Int64, in zone: TimeZone, limit: Int) -> [Int64] {
        var fires: [Int64] = []
        var last = start
        while fires.count < limit, let next = nextFire(after: last, in: zone), next <= end {
            fires.append(next)
            last = next
        }
        return fires
    }
}

extension CronFields {
    /// The first fire time after `instant`: the first matching wall-clock minute after the wall time of
    /// `instant` whose instant (see `instants`) is after it. Near a transition, where a repeated hour makes
    /// wall time run back, every matching minute a few hours around is looked at and the earliest instant
    /// after `instant` wins.
    func nextFire(after instant: Int64, in zone: TimeZone) -> Int64? {
        let seconds = instant.floorDivided(by: 1000)
        let wallNow = (seconds + Int64(zone.offset(at: seconds))).floorDivided(by: 60)
        var start = wallNow + 1
        if zone.offset(at: seconds - 86_400) != zone.offset(at: seconds + 86_400) {
            var earliest: Int64?
            walk(from: wallNow - 180, through: wallNow + 360) { minute in
                for fire in instants(ofWallMinute: minute, in: zone) where fire > instant {
                    earliest = min(earliest ?? fire, fire)
                }
                return false
            }
            if let earliest { return earliest }
            start = wallNow + 361
        }
        var found: Int64?
        walk(from: start, through: start + 11 * 366 * 1440) { minute in
            found = instants(ofWallMinute: minute, in: zone).first { $0 > instant }
            return found != nil
        }
        return found
    }

    /// Calls `visit` with each matching wall-clock minute from `first` through `last`, in order, jumping over
    /// months, days and hours that cannot match, until `visit` returns true.
    private func walk(from first: Int64, through last: Int64, _ visit: (Int64) -> Bool) {
        var minute = first
        while minute <= last {
            let day = minute.floorDivided(by: 1440)
            let date = CivilDate(days: day)
            if months & (1 << UInt64(date.month)) == 0 {
                minute = CivilDate(year: date.month == 12 ? date.year + 1 : date.year, month: date.month % 12 + 1, day: 1).days * 1440
                continue
            }
            guard dayMatches(day: date.day, weekday: CivilDate.weekday(days: day)) else {
                minute = (day + 1) * 1440
                continue
            }
            let ofDay = Int(minute - day * 1440)
            guard hours & (1 << UInt64(ofDay / 60)) != 0 else {
                minute = day * 1440 + Int64(ofDay / 60 + 1) * 60
                continue
            }
            if minutes & (1 << UInt64(ofDay % 60)) != 0, visit(minute) { return }
            minute += 1
        }
    }

    /// The instants (UTC milliseconds) at which a zone's clocks show wall minute `minute`: one; none in a
    /// daylight-saving gap, where the end of the gap stands in; two in a repeated hour, of which only the
    /// first counts unless the hour field is `*`.
    func instants(ofWallMinute minute: Int64, in zone: TimeZone) -> [Int64] {
        let wall = minute * 60
        // The zone's offsets a day either side cover any transition near this wall time.
        let offsets = Set([zone.offset(at: wall - 86_400), zone.offset(at: wall + 86_400)])
        let valid = offsets.map { wall - Int64($0) }.filter { zone.offset(at: $0) == Int(wall - $0) }.sorted()
        if valid.isEmpty, let earlier = offsets.max(), let later = offsets.min() {
            // A gap: the clocks jump from before this wall time to after it, at the transition.
            return [Self.transition(in: zone, from: wall - Int64(earlier), to: wall - Int64(later)) * 1000]
        }
        return (hoursStar ? valid : Array(valid.prefix(1))).map { $0 * 1000 }
    }

    /// The first second at or after `low` whose offset differs from `low`'s, knowing it differs at `high`.
    private static func transition(in zone: TimeZone, from low: Int64, to high: Int64) -> Int64 {
        var (low, high) = (low, high)
        let before = zone.offset(at: low)
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if zone.offset(at: middle) == before { low = middle } else { high = middle }
        }
        return high
    }
}

extension TimeZone {
    /// The zone's offset from UTC in seconds at `seconds` since the epoch.
    func offset(at seconds: Int64) -> Int {
        secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

extension Int64 {
    /// Division rounding toward negative infinity.
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

/// A date of the proleptic Gregorian calendar and its day number since 1970-01-01 (Howard Hinnant's
/// `days_from_civil` and `civil_from_days`, http://howardhinnant.github.io/date_algorithms.html).
struct CivilDate: Equatable {
    let year: Int
    /// 1 to 12.
    let month: Int
    /// 1 to 31.
    let day: Int

    init(year: Int, month: Int, day: Int) {
        (self.year, self.month, self.day) = (year, month, day)
    }

    init(days: Int64) {
        let z = Int(days) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01.
    var days: Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int64(era * 146_097 + doe - 719_468)
    }

    /// The day of the week of day number `days`: 0 is Sunday (1970-01-01 was a Thursday).
    static func weekday(days: Int64) -> Int {
        Int(((days + 4) % 7 + 7) % 7)
    }
}
