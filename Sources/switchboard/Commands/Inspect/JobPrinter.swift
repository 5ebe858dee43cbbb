import Enqueuer
import Foundation
import JSON
import Queue

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
                        ? [
                            job.deadReason?.rawValue ?? "", "\(job.attempts)/\(job.maxAttempts)",
                            job.finishedAt?.description ?? "",
                        ]
                        : [job.state.rawValue, "\(job.attempts)/\(job.maxAttempts)", job.runAt.description])
                    + [job.lastError.map { cut(firstLine($0), to: 60) } ?? ""]
            }
            let header =
                deadLetters
                ? ["id", "queue", "kind", "reason", "attempts", "died at", "last error"]
                : ["id", "queue", "kind", "state", "attempts", "run at", "last error"]
            output.result(TextTable(header: header, rows: rows).rendered, json: [:])
        }
        if jobs.count > limit {
            let next = shown.last?.id ?? 0
            Output.message(
                output.json
                    ? Output.jsonLine([
                        "notice": "limit_reached", "limit": limit, "next_after": deadLetters ? nil : next,
                    ])
                    : deadLetters
                        ? "(stopped at --limit \(limit); more match: raise --limit or narrow the filters)"
                        : "(stopped at --limit \(limit); more match: the next page is --after \(next))"
            )
        }
    }

    /// Stored bytes (a payload, a checkpoint) as JSON when they are JSON (what Switchboard writes), else as
    /// text, else as base64.
    private static func json(_ data: Data) -> JSONValue {
        (try? JSONParser.parse(data)) ?? String(data: data, encoding: .utf8).map(JSONValue.string)
            ?? .string(data.base64EncodedString())
    }

    /// Stored bytes as a line of text: as they are when they are UTF-8, else their size.
    static func text(_ data: Data) -> String {
        String(data: data, encoding: .utf8) ?? "(\(data.count) bytes, not UTF-8)"
    }

    /// The job's state, with a dead letter's reason.
    static func state(_ job: JobRecord) -> String {
        job.state.rawValue + (job.deadReason.map { " (\($0.rawValue))" } ?? "")
    }

    /// `text` cut to `length` characters, with an ellipsis when it was cut.
    private static func cut(_ text: String, to length: Int) -> String {
        text.count > length ? text.prefix(length - 1) + "…" : text
    }

    private static func firstLine(_ text: String) -> String {
        let line = text.prefix { $0 != "\n" }
        return line.count < text.count ? line + " …" : String(line)
    }

    /// - Parameter holder: the worker holding the job's lease, as its row in the store says, at `now`.
    static func detail(_ job: JobRecord, holder: (WorkerRecord, now: Timestamp)? = nil, output: Output) {
        var fields = summary(job)
        if let (worker, now) = holder {
            fields.set(
                "worker_state",
                [
                    "state": worker.state(at: now).rawValue, "host": worker.registration.host,
                    "pid": worker.registration.pid, "version": worker.registration.version,
                    "seen_at": worker.seenAt.description,
                ] as JSONObject)
        }
        fields.set("payload", json(ChatJob.displayable(job.payload)))
        fields.set("checkpoint", job.checkpoint.map(json))
        fields.set(
            "error_history",
            job.errorHistory.map { failure -> JSONObject in
                [
                    "attempt": failure.attempt, "at": Timestamp(millisecondsSince1970: failure.at).description,
                    "error": failure.error,
                ]
            })
        var lines = [
            "job \(job.id)",
            "  queue:        \(job.queue)",
            "  kind:         \(job.kind)",
            "  state:        \(state(job))",
            "  attempts:     \(job.attempts) of \(job.maxAttempts)",
            "  priority:     \(job.priority)",
            "  run at:       \(job.runAt)",
            "  created at:   \(job.createdAt)",
        ]
        if let group = job.groupKey { lines.append("  group:        \(group)") }
        if let key = job.dedupeKey { lines.append("  dedupe key:   \(key)") }
        if let worker = job.workerID, let expires = job.leaseExpiresAt {
            lines.append("  leased by:    \(worker) until \(expires) (token \(job.leaseToken))")
            if let (record, now) = holder {
                lines.append(
                    "  worker:       \(record.state(at: now).rawValue), pid \(record.registration.pid) on "
                        + "\(record.registration.host), version \(record.registration.version), "
                        + "seen \(record.seenAt)")
            }
        }
        if let finished = job.finishedAt { lines.append("  finished at:  \(finished)") }
        lines.append("  payload:      \(text(ChatJob.displayable(job.payload)))")
        if let checkpoint = job.checkpoint { lines.append("  checkpoint:   \(text(checkpoint))") }
        if !job.errorHistory.isEmpty {
            lines.append("  errors:")
            for failure in job.errorHistory {
                let at = Timestamp(millisecondsSince1970: failure.at)
                lines.append("    attempt \(failure.attempt) at \(at): \(failure.error)")
            }
        }
        output.result(lines.joined(separator: "\n"), json: fields)
    }

    static func summary(_ job: JobRecord) -> JSONObject {
        var fields: JSONObject = [
            "id": job.id, "queue": job.queue, "kind": job.kind, "state": job.state.rawValue,
            "attempts": job.attempts, "max_attempts": job.maxAttempts, "priority": job.priority,
            "run_at": job.runAt.description, "created_at": job.createdAt.description,
        ]
        fields.set("group", job.groupKey)
        fields.set("dedupe_key", job.dedupeKey)
        fields.set("last_error", job.lastError)
        fields.set("dead_reason", job.deadReason?.rawValue)
        fields.set("finished_at", job.finishedAt?.description)
        fields.set("worker", job.workerID)
        return fields
    }
}
