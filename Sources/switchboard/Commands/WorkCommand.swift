import Foundation
import Queue
import Workers

/// `switchboard work`: a worker that runs a shell command for every job.
struct WorkCommand: Command {
    static let name = "work"
    static let summary = "Run jobs with a shell command until stopped (or drained)"
    static let synopsis = [
        "work --queue Q[,Q2...] --exec 'COMMAND' [--concurrency N] [--lease SECONDS] [--drain] "
            + "[--shutdown-grace SECONDS] [--snooze SECONDS]",
    ]
    static let options: [OptionSpec] = [
        .value("queue", "Q[,Q2...]", "the queues to take jobs from"),
        .value("exec", "COMMAND", "run through /bin/sh -c for each job, payload on stdin"),
        .value("concurrency", "N", "jobs in flight at once (default 4)"),
        .value("lease", "SECONDS", "lease length; renewed every third of it while a job runs (default 30)"),
        .value("shutdown-grace", "SECONDS", "after SIGTERM/SIGINT, how long running jobs may finish (default 10)"),
        .value("snooze", "SECONDS", "how long a job waits after its command exits 75 (default 30)"),
        .flag("drain", "exit 0 once no job is runnable or leased"),
    ]
    static let examples = [
        #"switchboard work --queue mail --exec 'jq -r .user >> sent.txt' --concurrency 8"#,
        "switchboard work --queue mail,sms --exec ./handle-job.sh --drain",
        "",
        "The command sees SWITCHBOARD_JOB_ID, SWITCHBOARD_KIND, SWITCHBOARD_QUEUE and SWITCHBOARD_ATTEMPT.",
        "Exit 0 completes the job, 75 snoozes it, 65 dead-letters it, anything else retries it with backoff.",
        "A second SIGTERM/SIGINT skips the grace period and hands running jobs back at once.",
    ]

    let queues: [String]
    let command: String
    let concurrency: Int
    let lease: Duration
    let shutdownGrace: Duration
    let snooze: Duration
    let drain: Bool

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        guard let queueList = arguments.string("queue") else { throw CommandFailure.usage("--queue is required") }
        queues = queueList.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if queues.isEmpty { throw CommandFailure.usage("--queue needs at least one queue name") }
        guard let command = arguments.string("exec"), !command.isEmpty else {
            throw CommandFailure.usage("--exec is required: the command to run for each job")
        }
        self.command = command
        concurrency = try arguments.integer("concurrency", in: 1...4096) ?? 4
        lease = try arguments.duration("lease") ?? .seconds(30)
        if lease < .seconds(1) { throw CommandFailure.usage("--lease must be at least 1 second") }
        shutdownGrace = try arguments.duration("shutdown-grace") ?? .seconds(10)
        snooze = try arguments.duration("snooze") ?? .seconds(30)
        drain = arguments.flag("drain")
    }

    func run(_ context: CommandContext) async throws {
        let store = try await context.openStore(create: true)
        let log = WorkerLog(json: context.output.json)
        let pool = WorkerPool(
            store: store,
            handler: ShellCommandHandler(command: command, snoozeDelay: snooze),
            options: WorkerOptions(
                queues: queues, concurrency: concurrency, leaseDuration: lease, shutdownGrace: shutdownGrace,
                drain: drain
            ),
            onEvent: log.record
        )
        let signals = SignalWatcher { _ in pool.requestStop() }
        log.started(queues: queues, concurrency: concurrency, database: store.path)
        let report = try await pool.run()
        withExtendedLifetime(signals) {}
        log.finished(report)
    }
}

/// A worker's log lines on stderr: what happened to each job, never its payload.
struct WorkerLog: Sendable {
    let json: Bool

    func started(queues: [String], concurrency: Int, database: String) {
        write(
            "worker started on \(queues.joined(separator: ",")) with concurrency \(concurrency) (database \(database))",
            ["event": "started", "queues": queues, "concurrency": concurrency]
        )
    }

    func finished(_ report: WorkerReport) {
        write(
            "worker stopped: \(report.completed) completed, \(report.retried) retried, "
                + "\(report.deadLettered) dead-lettered, \(report.snoozed) snoozed or handed back, "
                + "\(report.leasesLost) leases lost",
            [
                "event": "stopped", "completed": report.completed, "retried": report.retried,
                "dead_lettered": report.deadLettered, "snoozed": report.snoozed, "leases_lost": report.leasesLost,
            ]
        )
    }

    @Sendable func record(_ event: WorkerEvent) {
        switch event {
        case .claimed:
            break
        case .settled(let job, let outcome, let result):
            let subject = "job \(job.id) (\(job.kind), attempt \(job.attempt)/\(job.maxAttempts))"
            var fields: [String: Any] = ["event": "settled", "job": job.id, "kind": job.kind, "attempt": job.attempt]
            switch (result, outcome) {
            case (.completed, _):
                fields["result"] = "completed"
                write("\(subject) completed", fields)
            case (.scheduled(let at), .fail(let error, _)):
                fields["result"] = "retry"
                fields["error"] = error
                fields["run_at"] = at.description
                write("\(subject) failed, retry at \(at): \(firstLine(error))", fields)
            case (.scheduled, .release):
                fields["result"] = "handed_back"
                write("\(subject) handed back to the queue", fields)
            case (.scheduled(let at), _):
                fields["result"] = "snoozed"
                fields["run_at"] = at.description
                write("\(subject) snoozed, runs again at \(at)", fields)
            case (.deadLettered(let reason), let outcome):
                fields["result"] = "dead_lettered"
                fields["reason"] = reason.rawValue
                var error = ""
                if case .fail(let message, _) = outcome { error = message }
                fields["error"] = error
                write("\(subject) dead-lettered (\(reason.rawValue)): \(firstLine(error))", fields)
            case (.leaseLost, _):
                break
            }
        case .leaseLost(let job):
            write("job \(job.id) lost its lease; its result is discarded", ["event": "lease_lost", "job": job.id])
        case .stopping(let inFlight):
            write("stopping: no new jobs; waiting for \(inFlight) running", ["event": "stopping", "in_flight": inFlight])
        case .storeFailed(let message):
            write("database error, retrying: \(message)", ["event": "store_failed", "error": message])
        }
    }

    private func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n", omittingEmptySubsequences: true).first ?? "")
    }

    private func write(_ text: String, _ fields: [String: Any]) {
        Output.message(json ? Output.jsonLine(fields) : text)
    }
}
