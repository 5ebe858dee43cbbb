import Foundation
import Queue

/// `switchboard jobs list`.
struct JobsListCommand: Command {
    static let name = "jobs list"
    static let summary = "List jobs, oldest first"
    private static let state = Option<JobState>.choice("state", "only jobs in this state")

    static let options = [Self.state.spec] + ListOptions.specs
    static let examples = [
        "switchboard jobs list --state leased", "switchboard jobs list --queue mail --limit 10 --json",
    ]

    let state: JobState?
    let queue: String?
    let kind: String?
    let limit: Int

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        state = try arguments.value(Self.state)
        queue = try arguments.value(ListOptions.queue)
        kind = try arguments.value(ListOptions.kind)
        limit = try arguments.value(ListOptions.limit) ?? 100
    }

    func run(_ context: CommandContext) async throws {
        let jobs = try await context.openStore(.readOnly).jobs(state: state, queue: queue, kind: kind, limit: limit + 1)
        JobPrinter.list(jobs, limit: limit, output: context.output)
    }
}
