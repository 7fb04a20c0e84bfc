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
        var out: [UInt8] = []
        appendISO8601(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `iso8601`'s text to `out` as UTF-8 bytes.
    package func appendISO8601(to out: inout [UInt8]) {
        if (0...9999).contains(year) {
            Self.append(Int64(year), width: 4, to: &out)
        } else {
            out.append(year < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            Self.append(Int64(year.magnitude), width: 4, to: &out)
        }
        appendDateAndTime(separator: UInt8(ascii: "T"), to: &out)
        out.append(UInt8(ascii: "."))
        Self.append(Int64(millisecond), width: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// PostgreSQL `timestamptz` input in UTC: `2024-03-05 14:07:09.12+00`, with ` BC` for
    /// years before 1 (PostgreSQL has no year 0: astronomical year 0 is 1 BC).
    package var postgresText: String {
        var out: [UInt8] = []
        appendPostgresText(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `postgresText`'s text to `out` as UTF-8 bytes.
    package func appendPostgresText(to out: inout [UInt8]) {
        Self.append(year >= 1 ? year : 1 - year, width: 4, to: &out)
        appendDateAndTime(separator: UInt8(ascii: " "), to: &out)
        if millisecond != 0 {
            out.append(UInt8(ascii: "."))
            Self.append(Int64(millisecond), width: 3, to: &out)
        }
        out.append(contentsOf: "+00".utf8)
        if year < 1 { out.append(contentsOf: " BC".utf8) }
    }

    /// `-MM-DD` then `separator` and `hh:mm:ss`.
    private func appendDateAndTime(separator: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "-"))
        Self.append(Int64(month), width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        Self.append(Int64(day), width: 2, to: &out)
        out.append(separator)
        Self.append(Int64(hour), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        Self.append(Int64(minute), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        Self.append(Int64(second), width: 2, to: &out)
    }

    /// The decimal digits of a non-negative `value`, zero-padded to at least `width`.
    private static func append(_ value: Int64, width: Int, to out: inout [UInt8]) {
        var digits = 1
        var limit: Int64 = 10
        while value >= limit && digits < 19 { digits += 1; limit = limit &* 10 }
        for _ in 0..<max(0, width - digits) { out.append(UInt8(ascii: "0")) }
        NumberText.appendDecimal(value, to: &out)
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        var q = a / b
        var r = a % b
        if r < 0 { q -= 1; r += b }
        return (q, r)
    }
}
