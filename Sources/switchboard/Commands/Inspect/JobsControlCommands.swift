import Foundation
import JSON
import Queue

/// `switchboard jobs cancel`.
struct JobsCancelCommand: Command {
    static let name = "jobs cancel"
    static let summary = "Cancel jobs: at once, or a running one at its worker's next heartbeat"
    static let operands = "ID..."
    static let options: [OptionSpec] = []
    static let examples = [
        "switchboard jobs cancel 42",
        "",
        "A ready, scheduled or blocked job is cancelled at once; a leased one too, and its worker loses the",
        "lease at its next heartbeat or settlement (its result is discarded). A cancelled job is a dead letter",
        "with reason cancelled (no notice is sent; `jobs retry` or `dlq redrive` brings it back).",
        "Exits 65 if any id was not a live job; the others are still cancelled.",
    ]

    let ids: [Int64]

    init(_ arguments: Arguments) throws {
        ids = try arguments.ids()
        guard !ids.isEmpty else { throw CommandFailure.usage("give at least one job id") }
    }

    func run(_ context: CommandContext) async throws {
        try await JobControlText.act(on: ids, context, refusal: "some ids were not live jobs; see their lines") {
            store, id in
            let before = try await store.cancel(jobID: id)
            return (before, before.map(JobState.live.contains) == true ? "cancelled" : nil)
        }
    }
}

/// `switchboard jobs retry`.
struct JobsRetryCommand: Command {
    static let name = "jobs retry"
    static let summary = "Run jobs now: a scheduled job becomes ready, a dead letter is redriven"
    static let operands = "ID..."
    static let options: [OptionSpec] = []
    static let examples = [
        "switchboard jobs retry 42",
        "",
        "A job waiting for its run-at (a delay, a retry's backoff, a snooze) runs now; a dead letter (also a",
        "cancelled job) is redriven with its attempts reset. Exits 65 if any id could not be run now.",
    ]

    let ids: [Int64]

    init(_ arguments: Arguments) throws {
        ids = try arguments.ids()
        guard !ids.isEmpty else { throw CommandFailure.usage("give at least one job id") }
    }

    func run(_ context: CommandContext) async throws {
        try await JobControlText.act(on: ids, context, refusal: "some jobs could not be run now; see their lines") {
            store, id in
            let before = try await store.runNow(jobID: id)
            let done: String? =
                switch before {
                case .scheduled: "made ready"
                case .dead: "redriven"
                default: nil
                }
            return (before, done)
        }
    }
}

/// What `jobs cancel` and `jobs retry` say about each id.
enum JobControlText {
    /// Acts on each id with `act` (which answers the state the job was in, and what was done, if
    /// anything), a line each; exits 65 with `refusal` when nothing was done to some id.
    static func act(
        on ids: [Int64], _ context: CommandContext, refusal: String,
        _ act: (JobStore, Int64) async throws -> (JobState?, done: String?)
    ) async throws {
        let store = try await context.openStore(.existing)
        var refused = false
        for id in ids {
            let (before, done) = try await act(store, id)
            refused = refused || done == nil
            context.output.result(describe(id, before, done: done), json: fields(id, before, done: done))
        }
        if refused {
            throw CommandFailure.data(refusal)
        }
    }

    static func describe(_ id: Int64, _ before: JobState?, done: String?) -> String {
        guard let before else { return "there is no job \(id)" }
        if let done { return "job \(id) \(done) (it was \(before.rawValue))" }
        switch before {
        case .ready: return "job \(id) is ready already"
        case .leased: return "job \(id) is running; cancel it to stop it"
        case .blocked: return "job \(id) waits behind its group's earlier job, and runs when that one ends"
        case .completed: return "job \(id) has completed"
        case .dead, .scheduled: return "job \(id) is \(before.rawValue)"
        }
    }

    /// `{"job_id", "was": STATE, "result": "cancelled|made_ready|redriven|unchanged|not_found"}`.
    static func fields(_ id: Int64, _ before: JobState?, done: String?) -> JSONObject {
        var fields: JSONObject = ["job_id": id]
        fields.set("was", before?.rawValue)
        fields.set("result", before == nil ? "not_found" : done?.replacing(" ", with: "_") ?? "unchanged")
        return fields
    }
}
