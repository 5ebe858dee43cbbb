import Foundation
import Queue

/// Left-aligned columns for terminal output. Each cell is one line: its control characters, line
/// breaks and tabs included, are escaped (`TerminalText`), so a value cannot break the table.
struct TextTable {
    let header: [String]
    let rows: [[String]]

    var rendered: String {
        let all = ([header] + rows).map { row in row.map { TerminalText.escaped($0, keepingLines: false) } }
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0)
            }.joined().replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n")
    }
}
