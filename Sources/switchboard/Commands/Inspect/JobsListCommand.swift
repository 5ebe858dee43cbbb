import Foundation
import Queue

/// `switchboard jobs list`.
struct JobsListCommand: Command {
    static let name = "jobs list"
    static let summary = "List jobs, oldest first"
    private static let state = Option<JobState>.choice("state", "only jobs in this state")
    private static let after = Option<Int>.integer(
        "after", "ID", .count(0...Int(Int64.max)), "only jobs after this id: the next page after a listing's last id")

    static let options = [Self.state.spec, Self.after.spec] + ListOptions.specs
    static let examples = [
        "switchboard jobs list --state leased", "switchboard jobs list --queue mail --limit 10 --json",
        "switchboard jobs list --limit 100 --after 4711",
    ]

    let state: JobState?
    let queue: String?
    let kind: String?
    let after: Int64?
    let limit: Int

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        state = try arguments.value(Self.state)
        queue = try arguments.value(ListOptions.queue)
        kind = try arguments.value(ListOptions.kind)
        after = try arguments.value(Self.after).map(Int64.init)
        limit = try arguments.value(ListOptions.limit) ?? 100
    }

    func run(_ context: CommandContext) async throws {
        let jobs = try await context.openStore(.readOnly).jobs(
            state: state, queue: queue, kind: kind, after: after, limit: limit + 1)
        JobPrinter.list(jobs, limit: limit, output: context.output)
    }
}
