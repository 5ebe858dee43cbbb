import Foundation

/// Durations as written on the command line.
enum DurationText {
    private static let units: [(suffix: String, seconds: Double)] = [
        ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400),
    ]

    /// The seconds `text` stands for (`90`, `1.5`, `500ms`, `15m`, `7d`); nil when it is not a number.
    /// The number is not bounded here: `NumberBound` checks it before it becomes a `Duration`.
    static func seconds(_ text: String) -> Double? {
        for unit in units where text.hasSuffix(unit.suffix) {
            return Double(text.dropLast(unit.suffix.count)).map { $0 * unit.seconds }
        }
        return Double(text)
    }

    /// Whether `text` ends in a unit (`7d`, `500ms`), rather than being a bare number of seconds.
    static func hasUnit(_ text: String) -> Bool {
        units.contains { text.hasSuffix($0.suffix) }
    }

    /// `seconds` in the largest unit that writes it whole: `3650d`, `12h`, `30s`, `500ms`.
    static func describe(_ seconds: Double) -> String {
        if seconds == 0 { return "0s" }
        for unit in units.reversed() where seconds >= unit.seconds || unit.suffix == "ms" {
            let count = seconds / unit.seconds
            if count == count.rounded() {
                return "\(Int(count))\(unit.suffix)"
            }
        }
        return "\(seconds)s"
    }
}
