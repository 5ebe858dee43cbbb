import Foundation
import Queue

/// `switchboard jobs list`.
struct JobsListCommand: Command {
    static let name = "jobs list"
    static let summary = "List jobs, oldest first"
    static let synopsis = ["jobs list [--state S] [--queue Q] [--kind K] [--limit N]"]
    static let options: [OptionSpec] = [
        .value("state", "S", "only jobs in this state: " + JobState.allCases.map(\.rawValue).joined(separator: ", ")),
        .value("queue", "Q", "only jobs of this queue"),
        .value("kind", "K", "only jobs of this kind"),
        .value("limit", "N", "at most this many (default 100); says so when more match"),
    ]
    static let examples = ["switchboard jobs list --state leased", "switchboard jobs list --queue mail --limit 10 --json"]

    let state: JobState?
    let queue: String?
    let kind: String?
    let limit: Int

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        state = try arguments.string("state").map { text in
            guard let state = JobState(rawValue: text) else {
                throw CommandFailure.usage(
                    "--state must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\""
                )
            }
            return state
        }
        queue = arguments.string("queue")
        kind = arguments.string("kind")
        limit = try arguments.integer("limit", Bounds.limit) ?? 100
    }

    func run(_ context: CommandContext) async throws {
        let jobs = try await context.openStore(.readOnly).jobs(state: state, queue: queue, kind: kind, limit: limit + 1)
        JobPrinter.list(jobs, limit: limit, output: context.output)
    }
}
