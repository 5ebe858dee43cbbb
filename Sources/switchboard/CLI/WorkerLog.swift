import Foundation
import JSON
import Queue
import Workers

/// A worker's log lines on stderr (`ProcessLog`): what happened to each job, never its payload.
struct WorkerLog: Sendable {
    let log: ProcessLog
    /// Log completions too; everything else is always logged.
    let verbose: Bool

    init(json: Bool, verbose: Bool, redactor: SecretRedactor) {
        log = ProcessLog(json: json, redactor: redactor)
        self.verbose = verbose
    }

    func started(queues: [String], concurrency: Int, database: String) {
        log.write(
            .info,
            "worker started on \(queues.joined(separator: ",")) with concurrency \(concurrency) (database \(database))",
            ["event": "started", "queues": queues, "concurrency": concurrency]
        )
    }

    func finished(_ report: WorkerReport) {
        log.write(
            .info,
            "worker stopped: \(report.completed) completed, \(report.retried) retried, "
                + "\(report.deadLettered) dead-lettered, \(report.snoozed) snoozed or handed back, "
                + "\(report.leasesLost) leases lost",
            [
                "event": "stopped", "completed": report.completed, "retried": report.retried,
                "dead_lettered": report.deadLettered, "snoozed": report.snoozed, "leases_lost": report.leasesLost,
            ]
        )
    }

    /// What a drain left in the database, by queue and state (completed jobs aside); nil when it could not
    /// be counted.
    func drained(left stats: QueueStats?, waitedForScheduled: Bool) {
        guard let stats else {
            log.write(.warning, "drained; could not count what is left", ["event": "drained"])
            return
        }
        var left = JSONObject()
        var parts: [String] = []
        for queue in stats.queues {
            let counts = queue.counts.filter { $0.key != .completed && $0.value > 0 }
            guard !counts.isEmpty else { continue }
            var byState = JSONObject()
            let ordered = JobState.allCases.compactMap { state in counts[state].map { (state, $0) } }
            for (state, count) in ordered {
                byState.set(state.rawValue, count)
            }
            left.set(queue.queue, byState)
            parts.append("\(queue.queue): " + ordered.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: ", "))
        }
        let scheduled = stats.totals[.scheduled] ?? 0
        let hint = !waitedForScheduled && scheduled > 0 ? " (--drain-all waits for scheduled jobs)" : ""
        log.write(
            .info,
            parts.isEmpty ? "drained: nothing is left" : "drained; left: \(parts.joined(separator: "; "))\(hint)",
            ["event": "drained", "left": left])
    }

    /// Stopped by a signal before the database could be reached.
    func stoppedWaiting() {
        log.write(.info, "worker stopped before the database could be reached", ["event": "stopped"])
    }

    @Sendable func record(_ event: WorkerEvent) {
        switch event {
        case .claimed:
            break
        case .settled(let job, let outcome, let result):
            settled(job, outcome, result)
        case .leaseLost(let job):
            log.write(
                .warning,
                "job \(job.id) lost its lease (cancelled, or expired); its work is stopped, its result discarded",
                ["event": "lease_lost", "job": job.id])
        case .fenced(let job):
            log.write(
                .warning,
                "job \(job.id) could not renew its lease in time; its work is stopped before the lease can run out, "
                    + "and it is handed back",
                ["event": "lease_fenced", "job": job.id])
        case .stopping(let inFlight):
            log.write(
                .info, "stopping: no new jobs; waiting for \(inFlight) running",
                ["event": "stopping", "in_flight": inFlight])
        case .storeFailed(let message):
            log.write(.warning, "database error, retrying: \(message)", ["event": "store_failed", "error": message])
        case .storeUnusable(let message):
            log.write(.error, "database error, giving up: \(message)", ["event": "store_unusable", "error": message])
        case .wakeups(.polling(let reason)):
            log.write(
                .warning, "no notifications of new work: looking at the queue on a timer instead: \(reason)",
                ["event": "wakeups", "wakeups": "polling", "reason": reason])
        case .wakeups(let wakeups):
            log.write(
                .info, "new work is noticed by \(wakeups == .notifications ? "notifications" : "local changes")",
                ["event": "wakeups", "wakeups": wakeups.description])
        }
    }

    /// What a chat worker tells its operator, as a warning; never a message's text.
    @Sendable func record(_ notice: ChatNotice) {
        switch notice {
        case .answerCut(let job, let kept, let omitted):
            log.write(
                .warning,
                "job \(job): the agent's answer was cut to \(kept) characters, \(omitted) more left out "
                    + "(max_answer_characters)",
                ["event": "answer_cut", "job": job, "kept": kept, "omitted": omitted])
        case .answerFileNotKept(let job, let reason):
            log.write(
                .warning, "job \(job): a file of the agent's answer could not be kept: \(reason)",
                ["event": "answer_file_not_kept", "job": job, "reason": reason])
        }
    }

    private func settled(_ job: ClaimedJob, _ outcome: JobOutcome, _ result: SettlementResult) {
        let subject = "job \(job.id) (\(job.kind), attempt \(job.attempt)/\(job.maxAttempts))"
        var fields: JSONObject = ["event": "settled", "job": job.id, "kind": job.kind, "attempt": job.attempt]
        switch (result, outcome) {
        case (.completed, _):
            fields.set("result", "completed")
            if verbose {
                log.write(.info, "\(subject) completed", fields)
            }
        case (.scheduled(let at), .fail(let error, _)):
            fields.set("result", "retry")
            fields.set("error", error)
            fields.set("run_at", at.description)
            log.write(.warning, "\(subject) failed, retry at \(at): \(firstLine(error))", fields)
        case (.scheduled, .release):
            fields.set("result", "handed_back")
            log.write(.info, "\(subject) handed back to the queue", fields)
        case (.scheduled(let at), _):
            fields.set("result", "snoozed")
            fields.set("run_at", at.description)
            log.write(.info, "\(subject) snoozed, runs again at \(at)", fields)
        case (.deadLettered(let reason), let outcome):
            fields.set("result", "dead_lettered")
            fields.set("reason", reason.rawValue)
            var error = ""
            if case .fail(let message, _) = outcome { error = message }
            fields.set("error", error)
            log.write(.error, "\(subject) dead-lettered (\(reason.rawValue)): \(firstLine(error))", fields)
        case (.leaseLost, _):
            break
        }
    }

    private func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n", omittingEmptySubsequences: true).first ?? "")
    }
}
