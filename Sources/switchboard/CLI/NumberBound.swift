/// The values a numeric option or job field may take, checked on the number as written, before it
/// becomes an `Int` or a `Duration`, so no input, however large, can trap a conversion.
///
/// Flags and the fields of `enqueue --batch` lines share these bounds and this one check; each caller
/// only words the refusal (a flag is a usage error, a line is bad data naming the line).
struct NumberBound: Sendable {
    enum Unit: Sendable {
        /// A duration, in seconds.
        case seconds
        /// A whole number.
        case count
    }

    let range: ClosedRange<Double>
    let unit: Unit

    static func seconds(_ range: ClosedRange<Double>) -> NumberBound {
        NumberBound(range: range, unit: .seconds)
    }

    static func count(_ range: ClosedRange<Int>) -> NumberBound {
        NumberBound(range: Double(range.lowerBound)...Double(range.upperBound), unit: .count)
    }

    /// The duration `seconds` stands for, to the millisecond; nil when it is not a finite number in bounds.
    func duration(seconds: Double) -> Duration? {
        guard unit == .seconds, seconds.isFinite, range.contains(seconds) else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// `value` as a whole number; nil when it is not whole, or not in bounds.
    func integer(_ value: Double) -> Int? {
        guard unit == .count, value.isFinite, value == value.rounded(), range.contains(value) else { return nil }
        return Int(value)
    }

    /// What the bound takes, for refusals: `a whole number from 1 to 1000000`, `a duration from 0s to 3650d`.
    var expectation: String {
        switch unit {
        case .count: "a whole number from \(Int(range.lowerBound)) to \(Int(range.upperBound))"
        case .seconds:
            "a duration from \(DurationText.describe(range.lowerBound)) to \(DurationText.describe(range.upperBound))"
        }
    }
}
