import Foundation
import JSON
import Queue
import Workers

/// A worker's log lines on stderr: what happened to each job, never its payload. With `--json`, each
/// line is one JSON object carrying its time (RFC 3339, milliseconds), level, pid and version.
struct WorkerLog: Sendable {
    enum Level: String {
        case info
        case warning
        case error
    }

    let json: Bool
    /// Log completions too; everything else is always logged.
    let verbose: Bool
    let redactor: SecretRedactor

    func started(queues: [String], concurrency: Int, database: String) {
        write(
            .info,
            "worker started on \(queues.joined(separator: ",")) with concurrency \(concurrency) (database \(database))",
            ["event": "started", "queues": queues, "concurrency": concurrency]
        )
    }

    func finished(_ report: WorkerReport) {
        write(
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

    /// The database cannot be reached yet: said on every attempt, with when the next one comes.
    func waitingForDatabase(attempt: Int, retryIn delay: Duration, reason: String) {
        write(
            .warning,
            "waiting for the database (attempt \(attempt)), trying again in \(delay.seconds) s: \(reason)",
            ["event": "waiting_for_database", "attempt": attempt, "retry_in": delay.seconds, "error": reason]
        )
    }

    /// Stopped by a signal before the database could be reached.
    func stoppedWaiting() {
        write(.info, "worker stopped before the database could be reached", ["event": "stopped"])
    }

    @Sendable func record(_ event: WorkerEvent) {
        switch event {
        case .claimed:
            break
        case .settled(let job, let outcome, let result):
            settled(job, outcome, result)
        case .leaseLost(let job):
            write(
                .warning, "job \(job.id) lost its lease; its result is discarded",
                ["event": "lease_lost", "job": job.id])
        case .stopping(let inFlight):
            write(
                .info, "stopping: no new jobs; waiting for \(inFlight) running",
                ["event": "stopping", "in_flight": inFlight])
        case .storeFailed(let message):
            write(.warning, "database error, retrying: \(message)", ["event": "store_failed", "error": message])
        case .storeUnusable(let message):
            write(.error, "database error, giving up: \(message)", ["event": "store_unusable", "error": message])
        }
    }

    private func settled(_ job: ClaimedJob, _ outcome: JobOutcome, _ result: SettlementResult) {
        let subject = "job \(job.id) (\(job.kind), attempt \(job.attempt)/\(job.maxAttempts))"
        var fields: JSONObject = ["event": "settled", "job": job.id, "kind": job.kind, "attempt": job.attempt]
        switch (result, outcome) {
        case (.completed, _):
            fields.set("result", "completed")
            if verbose {
                write(.info, "\(subject) completed", fields)
            }
        case (.scheduled(let at), .fail(let error, _)):
            fields.set("result", "retry")
            fields.set("error", error)
            fields.set("run_at", at.description)
            write(.warning, "\(subject) failed, retry at \(at): \(firstLine(error))", fields)
        case (.scheduled, .release):
            fields.set("result", "handed_back")
            write(.info, "\(subject) handed back to the queue", fields)
        case (.scheduled(let at), _):
            fields.set("result", "snoozed")
            fields.set("run_at", at.description)
            write(.info, "\(subject) snoozed, runs again at \(at)", fields)
        case (.deadLettered(let reason), let outcome):
            fields.set("result", "dead_lettered")
            fields.set("reason", reason.rawValue)
            var error = ""
            if case .fail(let message, _) = outcome { error = message }
            fields.set("error", error)
            write(.error, "\(subject) dead-lettered (\(reason.rawValue)): \(firstLine(error))", fields)
        case (.leaseLost, _):
            break
        }
    }

    private func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n", omittingEmptySubsequences: true).first ?? "")
    }

    private static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Every line passes the redactor: an error from a provider or a command may echo a credential.
    private func write(_ level: Level, _ text: String, _ fields: JSONObject) {
        guard json else {
            Output.message(redactor.redact(text))
            return
        }
        var event = fields
        event.set("time", Date().formatted(Self.timeFormat))
        event.set("level", level.rawValue)
        event.set("pid", Int(getpid()))
        event.set("version", SwitchboardVersion.current)
        Output.message(redactor.redact(Output.jsonLine(event)))
    }
}
