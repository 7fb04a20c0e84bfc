/// A five-field cron expression (minute, hour, day of month, month, day of week), in UTC.
///
/// Fields take `*`, numbers, ranges `a-b`, lists `a,b` and steps `*/n` or `a-b/n`; day of week
/// runs 0–7 with both 0 and 7 for Sunday. As in cron, when both day of month and day of week
/// are restricted, a day matches if either does.
package struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// Why an expression cannot be parsed, naming the field.
    package struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong, naming the field.
        package let description: String
        /// An error with its message.
        /// - Parameter description: what is wrong, naming the field.
        package init(description: String) { self.description = description }
    }

    /// The expression, its fields separated by single spaces.
    package let description: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    /// Parses `expression`.
    /// - Parameter expression: five fields separated by spaces, e.g. `0 3 * * 1-5`.
    /// - Throws: `Invalid` naming the field and the problem.
    package init(_ expression: String) throws {
        let fields = expression.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 5 else {
            throw Invalid(description: "a cron expression has 5 fields (minute hour day-of-month month day-of-week), `\(expression)` has \(fields.count)")
        }
        description = fields.joined(separator: " ")
        minutes = try Self.parse(fields[0], name: "minute", range: 0...59)
        hours = try Self.parse(fields[1], name: "hour", range: 0...23)
        daysOfMonth = try Self.parse(fields[2], name: "day of month", range: 1...31)
        months = try Self.parse(fields[3], name: "month", range: 1...12)
        daysOfWeek = Set(try Self.parse(fields[4], name: "day of week", range: 0...7).map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
    }

    static func parse(_ field: String, name: String, range: ClosedRange<Int>) throws -> Set<Int> {
        var values = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard pieces.count <= 2, !pieces[0].isEmpty else { throw Invalid(description: "\(name) field `\(field)`: cannot read `\(part)`") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { throw Invalid(description: "\(name) field `\(field)`: step `\(pieces[1])` is not a positive number") }
                step = parsed
            }
            var lower = range.lowerBound, upper = range.upperBound
            if pieces[0] != "*" {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
                guard bounds.count <= 2, let first = Int(bounds[0]), let last = Int(bounds.last!) else {
                    throw Invalid(description: "\(name) field `\(field)`: cannot read `\(part)`")
                }
                guard range.contains(first), range.contains(last) else {
                    throw Invalid(description: "\(name) field `\(field)`: values run from \(range.lowerBound) to \(range.upperBound)")
                }
                guard first <= last else { throw Invalid(description: "\(name) field `\(field)`: range `\(pieces[0])` runs backwards") }
                lower = first
                upper = bounds.count == 2 || pieces.count == 2 ? last : first
                if bounds.count == 1 && pieces.count == 2 { upper = range.upperBound }
            }
            values.formUnion(stride(from: lower, through: upper, by: step))
        }
        return values
    }

    /// The first minute strictly after `ms` (milliseconds since the epoch, UTC) that matches.
    /// - Parameter ms: the instant to start from, in milliseconds since the epoch.
    /// - Returns: nil when none comes within eight years (e.g. `0 0 30 2 *`).
    package func next(after ms: Int64) -> Int64? {
        let minute: Int64 = 60_000, day: Int64 = 86_400_000
        var start = (ms / minute + 1) * minute
        if ms < 0 && ms % minute != 0 { start = (ms / minute) * minute }
        var dayStart = start - ((start % day) + day) % day
        for _ in 0..<(366 * 8) {
            let date = CivilTime(millisecondsSinceEpoch: dayStart)
            if months.contains(date.month) && matchesDay(date, dayStart: dayStart) {
                for hour in hours.sorted() {
                    for minuteOfHour in minutes.sorted() {
                        let candidate = dayStart + Int64(hour) * 3_600_000 + Int64(minuteOfHour) * minute
                        if candidate >= start { return candidate }
                    }
                }
            }
            dayStart += day
        }
        return nil
    }

    private func matchesDay(_ date: CivilTime, dayStart: Int64) -> Bool {
        // 1970-01-01 was a Thursday (4).
        let weekday = Int((((dayStart / 86_400_000) % 7) + 7 + 4) % 7)
        let byMonth = daysOfMonth.contains(date.day)
        let byWeek = daysOfWeek.contains(weekday)
        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): return byMonth || byWeek
        case (true, false): return byMonth
        case (false, true): return byWeek
        case (false, false): return true
        }
    }
}
