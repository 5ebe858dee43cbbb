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
                .warning, "job \(job.id) lost its lease; its result is discarded",
                ["event": "lease_lost", "job": job.id])
        case .stopping(let inFlight):
            log.write(
                .info, "stopping: no new jobs; waiting for \(inFlight) running",
                ["event": "stopping", "in_flight": inFlight])
        case .storeFailed(let message):
            log.write(.warning, "database error, retrying: \(message)", ["event": "store_failed", "error": message])
        case .storeUnusable(let message):
            log.write(.error, "database error, giving up: \(message)", ["event": "store_unusable", "error": message])
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
