import Foundation
import Queue

/// One `switchboard` subcommand: parsed and validated from its arguments, then run.
protocol Command: Sendable {
    /// The words that name it, such as `dlq redrive`.
    static var name: String { get }
    static var summary: String { get }
    /// The synopsis lines after `switchboard`.
    static var synopsis: [String] { get }
    /// Its own options; the global ones are added.
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

    static var help: String {
        var lines = ["\(summary)", "", "Usage:"]
        lines += synopsis.map { "  switchboard \($0)" }
        lines += ["", "Options:"]
        for option in options + GlobalOptions.specs {
            let left = "--\(option.name)" + (option.value.map { " \($0)" } ?? "")
            lines.append("  " + left.padding(toLength: max(24, left.count + 2), withPad: " ", startingAt: 0) + option.help)
        }
        lines += ["", "Examples:"] + examples.map { "  \($0)" }
        return lines.joined(separator: "\n")
    }
}
