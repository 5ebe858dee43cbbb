import Foundation

/// Counts as benchmark reports word them: with thousands separators, and a noun that agrees with the
/// count (`1 process`, `2 processes`), so no run size prints a garbled label.
package enum ReportText {
    /// `count` with its thousands separated: `10,000`.
    package static func number(_ count: Int) -> String {
        count.formatted(.number.grouping(.automatic))
    }

    /// `count` and its noun: `1 process`, `2 processes`, `10,000 jobs`.
    package static func count(_ count: Int, _ singular: String, _ plural: String) -> String {
        "\(number(count)) \(count == 1 ? singular : plural)"
    }
}
