import Foundation
import Queue

/// One `switchboard` subcommand: parsed and validated from its arguments, then run.
protocol Command: Sendable {
    /// The words that name it, such as `dlq redrive`.
    static var name: String { get }
    static var summary: String { get }
    /// What comes after the name besides options (`ID...`, `TOKEN`); empty for nothing.
    static var operands: String { get }
    /// Its own options, as declared by its typed keys; the global ones are added.
    static var options: [OptionSpec] { get }
    /// Example invocations for `--help`.
    static var examples: [String] { get }
    /// Shown in the command list of `switchboard --help`.
    static var listed: Bool { get }

    /// Parses and validates; throws `CommandFailure.usage` for anything wrong, before touching a database.
    init(_ arguments: Arguments) throws

    func run(_ context: CommandContext) async throws
}

extension Command {
    static var listed: Bool { true }
    static var operands: String { "" }

    /// The synopsis, made from the declared options so it cannot leave one out, as lines of at most
    /// about 100 columns.
    static var synopsis: [String] {
        let words = ["switchboard", name] + (operands.isEmpty ? [] : [operands]) + options.map(\.synopsis)
        var lines = [words[0]]
        for word in words.dropFirst() {
            if lines[lines.count - 1].count + 1 + word.count > 96 {
                lines.append("    " + word)
            } else {
                lines[lines.count - 1] += " " + word
            }
        }
        return lines
    }

    static var help: String {
        var lines = ["\(summary)", "", "Usage:"] + synopsis.map { "  \($0)" } + ["", "Options:"]
        for option in options + GlobalOptions.specs {
            let left = "--\(option.name)" + (option.value.map { " \($0)" } ?? "")
            lines.append(
                "  " + left.padding(toLength: max(24, left.count + 2), withPad: " ", startingAt: 0) + option.help)
        }
        lines += ["", "Examples:"] + examples.map { "  \($0)" }
        return lines.joined(separator: "\n")
    }
}
