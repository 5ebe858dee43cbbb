import Foundation

/// The JSON lines of a `--batch` input, and the one rule `enqueue --batch` and `intake --batch` share:
/// every line is checked before any is written, every bad line is named by its number, and one bad
/// line means nothing is written (exit 65), so a batch is never half recorded.
enum BatchLines {
    /// Each line that is not blank (white space only), with its number from 1.
    static func split(_ input: Data) -> [(number: Int, line: Data)] {
        input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated().compactMap {
            index, line in
            line.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }
                ? nil : (index + 1, Data(line))
        }
    }

    /// The refusal of a batch with bad lines: each `problems` entry names its line (`line 4: ...`).
    static func refusal(_ problems: [String], code: String? = nil) -> CommandFailure {
        let count = problems.count == 1 ? "1 line was" : "\(problems.count) lines were"
        return CommandFailure(
            exitCode: .dataError,
            message: "\(count) refused, so nothing was written:\n" + problems.joined(separator: "\n"),
            code: code)
    }
}
