import Foundation
import Queue

/// `switchboard dlq show`.
struct DeadLetterShowCommand: Command {
    static let name = "dlq show"
    static let summary = "Show one dead letter with its error history"
    static let operands = "ID"
    static let options: [OptionSpec] = []
    static let examples = ["switchboard dlq show 42"]

    let id: Int64

    init(_ arguments: Arguments) throws {
        id = try arguments.singleID()
    }

    func run(_ context: CommandContext) async throws {
        JobPrinter.detail(try await context.openStore(.readOnly).deadLetter(id: id), output: context.output)
    }
}
