import Foundation
import Queue

/// `switchboard stats`.
struct StatsCommand: Command {
    static let name = "stats"
    static let summary = "Counts per queue and state, oldest ready job, leases, dead letters, dedupe keys"
    static let synopsis = ["stats"]
    static let options: [OptionSpec] = []
    static let examples = ["switchboard stats", "switchboard stats --json | jq .dead_letters"]

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
    }

    func run(_ context: CommandContext) async throws {
        let stats = try await context.openStore(.readOnly).stats()
        let states = JobState.allCases
        let rows = stats.queues.map { queue in [queue.queue] + states.map { String(queue.counts[$0] ?? 0) } }
        let table = TextTable(header: ["queue"] + states.map(\.rawValue), rows: rows).rendered
        let oldest = stats.oldestReadyAge.map { String(format: "%.1f s", $0.seconds) } ?? "none"
        context.output.result(
            """
            \(table)
            oldest ready job: \(oldest)
            leases: \(stats.leasesInFlight) in flight, \(stats.leasesExpired) expired
            dead letters: \(stats.deadLetters)
            dedupe keys held: \(stats.dedupeKeysHeld)
            """,
            json: [
                "queues": Dictionary(uniqueKeysWithValues: stats.queues.map { queue in
                    (queue.queue, Dictionary(uniqueKeysWithValues: states.map { ($0.rawValue, queue.counts[$0] ?? 0) }))
                }),
                "oldest_ready_seconds": stats.oldestReadyAge.map { $0.seconds } ?? NSNull(),
                "leases_in_flight": stats.leasesInFlight,
                "leases_expired": stats.leasesExpired,
                "dead_letters": stats.deadLetters,
                "dedupe_keys_held": stats.dedupeKeysHeld,
            ]
        )
    }
}

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

/// `switchboard jobs show`.
struct JobsShowCommand: Command {
    static let name = "jobs show"
    static let summary = "Show one job, with its payload and error history"
    static let synopsis = ["jobs show ID"]
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

/// How jobs are printed by the inspection commands.
enum JobPrinter {
    /// Prints up to `limit` of `jobs` (fetch one more than the limit: if it is there, the list says it
    /// stopped at the limit). Dead letters show why and when they died instead of their state and run-at.
    static func list(_ jobs: [JobRecord], limit: Int, deadLetters: Bool = false, output: Output) {
        let shown = jobs.prefix(limit)
        if output.json {
            for job in shown {
                output.result("", json: summary(job))
            }
        } else {
            let rows = shown.map { job in
                [String(job.id), job.queue, job.kind]
                    + (deadLetters
                        ? [job.deadReason?.rawValue ?? "", "\(job.attempts)/\(job.maxAttempts)", job.finishedAt?.description ?? ""]
                        : [job.state.rawValue, "\(job.attempts)/\(job.maxAttempts)", job.runAt.description])
                    + [job.lastError.map { cut(firstLine($0), to: 60) } ?? ""]
            }
            let header = deadLetters
                ? ["id", "queue", "kind", "reason", "attempts", "died at", "last error"]
                : ["id", "queue", "kind", "state", "attempts", "run at", "last error"]
            output.result(TextTable(header: header, rows: rows).rendered, json: [:])
        }
        if jobs.count > limit {
            Output.message(
                output.json
                    ? Output.jsonLine(["notice": "limit_reached", "limit": limit])
                    : "(stopped at --limit \(limit); more match: raise --limit or narrow the filters)"
            )
        }
    }

    /// `text` cut to `length` characters, with an ellipsis when it was cut.
    private static func cut(_ text: String, to length: Int) -> String {
        text.count > length ? text.prefix(length - 1) + "…" : text
    }

    private static func firstLine(_ text: String) -> String {
        let line = text.prefix { $0 != "\n" }
        return line.count < text.count ? line + " …" : String(line)
    }

    static func detail(_ job: JobRecord, output: Output) {
        var fields = summary(job)
        let payload = String(data: job.payload, encoding: .utf8)
        fields["payload"] = payload.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8), options: .fragmentsAllowed) }
            ?? payload ?? job.payload.base64EncodedString()
        fields["error_history"] = job.errorHistory.map { failure in
            ["attempt": failure.attempt, "at": Timestamp(millisecondsSince1970: failure.at).description, "error": failure.error]
        }
        var lines = [
            "job \(job.id)",
            "  queue:        \(job.queue)",
            "  kind:         \(job.kind)",
            "  state:        \(job.state.rawValue)" + (job.deadReason.map { " (\($0.rawValue))" } ?? ""),
            "  attempts:     \(job.attempts) of \(job.maxAttempts)",
            "  priority:     \(job.priority)",
            "  run at:       \(job.runAt)",
            "  created at:   \(job.createdAt)",
        ]
        if let group = job.groupKey { lines.append("  group:        \(group)") }
        if let key = job.dedupeKey { lines.append("  dedupe key:   \(key)") }
        if let worker = job.workerID, let expires = job.leaseExpiresAt {
            lines.append("  leased by:    \(worker) until \(expires) (token \(job.leaseToken))")
        }
        if let finished = job.finishedAt { lines.append("  finished at:  \(finished)") }
        lines.append("  payload:      \(payload ?? "(\(job.payload.count) bytes, not UTF-8)")")
        if !job.errorHistory.isEmpty {
            lines.append("  errors:")
            for failure in job.errorHistory {
                let at = Timestamp(millisecondsSince1970: failure.at)
                lines.append("    attempt \(failure.attempt) at \(at): \(failure.error)")
            }
        }
        output.result(lines.joined(separator: "\n"), json: fields)
    }

    private static func summary(_ job: JobRecord) -> [String: Any] {
        var fields: [String: Any] = [
            "id": job.id, "queue": job.queue, "kind": job.kind, "state": job.state.rawValue,
            "attempts": job.attempts, "max_attempts": job.maxAttempts, "priority": job.priority,
            "run_at": job.runAt.description, "created_at": job.createdAt.description,
        ]
        fields["group"] = job.groupKey
        fields["dedupe_key"] = job.dedupeKey
        fields["last_error"] = job.lastError
        fields["dead_reason"] = job.deadReason?.rawValue
        fields["finished_at"] = job.finishedAt?.description
        fields["worker"] = job.workerID
        return fields
    }
}

/// Left-aligned columns for terminal output.
struct TextTable {
    let header: [String]
    let rows: [[String]]

    var rendered: String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0)
            }.joined().replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n")
    }
}
