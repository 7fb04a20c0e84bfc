/// A UTC calendar time split from BSON milliseconds, valid for every Int64 millisecond value.
///
/// Uses the proleptic Gregorian calendar with astronomical year numbering (year 0 is 1 BC),
/// the algorithm of Howard Hinnant's `civil_from_days`.
package struct CivilTime: Sendable, Hashable {
    package var year: Int64
    package var month: Int
    package var day: Int
    package var hour: Int
    package var minute: Int
    package var second: Int
    package var millisecond: Int

    /// Splits milliseconds since 1970-01-01T00:00:00Z.
    package init(millisecondsSinceEpoch ms: Int64) {
        let (days, msOfDay) = Self.floorDivide(ms, 86_400_000)
        millisecond = Int(msOfDay % 1000)
        second = Int(msOfDay / 1000 % 60)
        minute = Int(msOfDay / 60_000 % 60)
        hour = Int(msOfDay / 3_600_000)
        let z = days + 719_468
        let (era, _) = Self.floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        month = Int(mp < 10 ? mp + 3 : mp - 9)
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Milliseconds since the epoch for a UTC calendar time (inverse of the initializer).
    package static func milliseconds(year: Int64, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millisecond: Int = 0) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let (era, _) = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return days * 86_400_000 + Int64(hour) * 3_600_000 + Int64(minute) * 60_000 + Int64(second) * 1000 + Int64(millisecond)
    }

    /// ISO-8601 in UTC with milliseconds: `2024-03-05T14:07:09.120Z`; years outside
    /// 0000–9999 use the expanded form with a sign (`+10000-01-01…`, `-0001-…`).
    package var iso8601: String {
        var text = Self.yearText(year, expanded: true)
        text += "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
        text += "T" + Self.pad(hour, 2) + ":" + Self.pad(minute, 2) + ":" + Self.pad(second, 2)
        text += "." + Self.pad(millisecond, 3) + "Z"
        return text
    }

    /// PostgreSQL `timestamptz` input in UTC: `2024-03-05 14:07:09.12+00`, with ` BC` for
    /// years before 1 (PostgreSQL has no year 0: astronomical year 0 is 1 BC).
    package var postgresText: String {
        var text = year >= 1 ? Self.yearText(year, expanded: false) : Self.yearText(1 - year, expanded: false)
        text += "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
        text += " " + Self.pad(hour, 2) + ":" + Self.pad(minute, 2) + ":" + Self.pad(second, 2)
        if millisecond != 0 { text += "." + Self.pad(millisecond, 3) }
        text += "+00"
        if year < 1 { text += " BC" }
        return text
    }

    private static func yearText(_ year: Int64, expanded: Bool) -> String {
        if (0...9999).contains(year) { return pad(Int(year), 4) }
        guard expanded else { return String(year) }
        return (year < 0 ? "-" : "+") + pad(Int(year.magnitude), 4)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        var q = a / b
        var r = a % b
        if r < 0 { q -= 1; r += b }
        return (q, r)
    }
}
