import Foundation
import Queue

/// `switchboard jobs show`.
struct JobsShowCommand: Command {
    static let name = "jobs show"
    static let summary = "Show one job, with its payload and error history"
    static let operands = "ID"
    static let options: [OptionSpec] = []
    static let examples = ["switchboard jobs show 42"]

    let id: Int64

    init(_ arguments: Arguments) throws {
        id = try arguments.singleID()
    }

    func run(_ context: CommandContext) async throws {
        guard let job = try await context.openStore(.readOnly).job(id: id) else {
            throw CommandFailure.data(
                "there is no job \(id) (completed jobs are deleted, unless workers keep them with --retain-completed)"
            )
        }
        JobPrinter.detail(job, output: context.output)
    }
}
