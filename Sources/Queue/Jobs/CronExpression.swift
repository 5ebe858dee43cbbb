import Foundation

/// A standard five-field cron expression (minute, hour, day of month, month, day of week), with lists,
/// ranges, steps and names (`jan`..`dec`, `sun`..`sat`; 7 is Sunday too), and its ticks in a time zone.
///
/// As in Vixie cron, when both the day of month and the day of week are restricted, a day matching
/// either one runs. Ticks are wall-clock times of the zone: one that a daylight-saving change skips does
/// not run; one that it repeats runs once, at its first occurrence.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public let description: String
    private let minutes: [Int]
    private let hours: [Int]
    private let daysOfMonth: Set<Int>
    private let months: Set<Int>
    private let daysOfWeek: Set<Int>
    private let restrictsDayOfMonth: Bool
    private let restrictsDayOfWeek: Bool

    private static let monthNames = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    private static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// - Throws: `QueueError.invalidArgument` naming the field that is wrong, or that can never run.
    public init(_ text: String) throws {
        try self.init(stored: text)
        try checkSomeDayRuns()
    }

    /// An expression as a database holds it. One stored before expressions that can never run were
    /// refused still reads (its next run is never), so it can be listed and removed.
    /// - Throws: `QueueError.invalidArgument` naming the field that is wrong.
    package init(stored text: String) throws {
        let fields = text.split(whereSeparator: \.isWhitespace).map { $0.lowercased() }
        guard fields.count == 5 else {
            throw QueueError.invalid("cron", "must have five fields (minute hour day-of-month month day-of-week)")
        }
        description = fields.joined(separator: " ")
        minutes = try Self.field(fields[0], "minute", 0...59).sorted()
        hours = try Self.field(fields[1], "hour", 0...23).sorted()
        daysOfMonth = try Self.field(fields[2], "day of month", 1...31)
        months = try Self.field(fields[3], "month", 1...12, names: Self.monthNames, firstName: 1)
        daysOfWeek = Set(
            try Self.field(fields[4], "day of week", 0...7, names: Self.dayNames, firstName: 0).map { $0 % 7 })
        restrictsDayOfMonth = !fields[2].hasPrefix("*")
        restrictsDayOfWeek = !fields[4].hasPrefix("*")
    }

    /// The most days each month has (February in a leap year).
    private static let daysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    /// Refuses an expression that can never run (`0 0 30 2 *`), which would otherwise be stored and say
    /// "next run never". Only a restricted day of month with an unrestricted day of week can: every
    /// month has every weekday, and every hour and minute field allows some value.
    private func checkSomeDayRuns() throws {
        guard restrictsDayOfMonth, !restrictsDayOfWeek else { return }
        let runs = months.contains { month in daysOfMonth.contains { $0 <= Self.daysInMonth[month - 1] } }
        guard runs else {
            let days = daysOfMonth.sorted().map(String.init).joined(separator: ", ")
            let monthNames = months.sorted().map { Self.monthNames[$0 - 1] }.joined(separator: ", ")
            throw QueueError.invalid(
                "cron",
                "day of month field: \(monthNames) \(months.count == 1 ? "has" : "have") no day \(days), so the "
                    + "expression would never run")
        }
    }

    /// How far ahead `nextTick` looks: longer than the longest wait for an expression that can run, a
    /// February 29th across a century year that is not a leap year (2096 to 2104: eight years).
    private static let horizonYears = 9

    /// The first tick strictly after `instant`, in `timeZone`; nil when none falls within nine years (a
    /// wall time that only ever falls in a daylight-saving gap).
    public func nextTick(after instant: Timestamp, in timeZone: TimeZone) -> Timestamp? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let after = Date(timeIntervalSince1970: Double(instant.millisecondsSince1970) / 1_000)
        guard let horizon = calendar.date(byAdding: .year, value: Self.horizonYears, to: after) else { return nil }
        var day = calendar.startOfDay(for: after)
        while day < horizon {
            let date = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            guard let year = date.year, let month = date.month, let dayOfMonth = date.day, let weekday = date.weekday
            else { return nil }
            if !months.contains(month) {
                // Skip the rest of a month the expression does not run in.
                guard let first = calendar.date(from: DateComponents(year: year, month: month, day: 1)),
                    let next = calendar.date(byAdding: .month, value: 1, to: first)
                else { return nil }
                day = calendar.startOfDay(for: next)
                continue
            }
            if runs(onDay: dayOfMonth, weekday: weekday - 1) {
                for hour in hours {
                    for minute in minutes {
                        let wanted = DateComponents(
                            year: year, month: month, day: dayOfMonth, hour: hour, minute: minute)
                        guard let tick = calendar.date(from: wanted), tick > after else { continue }
                        let found = calendar.dateComponents([.day, .hour, .minute], from: tick)
                        // A wall time the zone skips comes back shifted: it does not run.
                        guard found.day == dayOfMonth, found.hour == hour, found.minute == minute else { continue }
                        return Timestamp(millisecondsSince1970: Int64((tick.timeIntervalSince1970 * 1_000).rounded()))
                    }
                }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = next
        }
        return nil
    }

    private func runs(onDay dayOfMonth: Int, weekday: Int) -> Bool {
        switch (restrictsDayOfMonth, restrictsDayOfWeek) {
        case (true, true): daysOfMonth.contains(dayOfMonth) || daysOfWeek.contains(weekday)
        case (true, false): daysOfMonth.contains(dayOfMonth)
        case (false, true): daysOfWeek.contains(weekday)
        case (false, false): true
        }
    }

    /// One field: `*`, a value, a range, each with an optional `/step`, in a comma-separated list.
    private static func field(
        _ text: String, _ name: String, _ range: ClosedRange<Int>, names: [String] = [], firstName: Int = 0
    ) throws -> Set<Int> {
        func value(_ word: Substring) throws -> Int {
            if let index = names.firstIndex(of: String(word)) { return index + firstName }
            guard let number = Int(word), range.contains(number) else {
                throw QueueError.invalid(
                    "cron", "\(name) field: \"\(word)\" is not a value from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        var values = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, !parts[0].isEmpty else {
                throw QueueError.invalid("cron", "\(name) field: \"\(item)\" is not a value, range or step")
            }
            var step = 1
            if parts.count == 2 {
                guard let number = Int(parts[1]), number > 0 else {
                    throw QueueError.invalid("cron", "\(name) field: step \"\(parts[1])\" must be a positive number")
                }
                step = number
            }
            let bounds: ClosedRange<Int>
            if parts[0] == "*" {
                bounds = range
            } else if let dash = parts[0].firstIndex(of: "-") {
                let low = try value(parts[0][..<dash])
                let high = try value(parts[0][parts[0].index(after: dash)...])
                guard low <= high else {
                    throw QueueError.invalid("cron", "\(name) field: range \"\(parts[0])\" runs backwards")
                }
                bounds = low...high
            } else {
                let single = try value(parts[0])
                bounds = single...(parts.count == 2 ? range.upperBound : single)
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }
}
