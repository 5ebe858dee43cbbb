import Foundation
import HTTPClient
import Queue
import Workers

/// `switchboard work`: a worker for chat jobs (turns, link commands, deliveries) and, with `--exec`,
/// a shell command for any other kind.
struct WorkCommand: Command {
    static let name = "work"
    static let summary = "Work chat jobs (and, with --exec, any other kind) until stopped or drained"
    private static let queueNames = Option<[String]>.list(
        "queues", "Q[,Q2...]", "the queues to take jobs from (default chat); --queue is the same")
    private static let queueAlias = Option<[String]>.list("queue", "Q[,Q2...]", "same as --queues")
    private static let concurrency = Option<Int>.integer(
        "concurrency", "N", Bounds.concurrency, "jobs in flight at once (default 8)")
    private static let lease = Option<Duration>.duration(
        "lease", "SECONDS", Bounds.lease, "lease length; renewed every third of it while a job runs (default 30)"
    )
    private static let exec = Option<String>.text(
        "exec", "COMMAND", "run other kinds of jobs through /bin/sh -c, payload on stdin")
    private static let kinds = Option<[String]>.list(
        "kinds", "K[,K2...]", "with --exec: run only these kinds through the command (default: every kind)"
    )
    private static let shutdownGrace = Option<Duration>.duration(
        "shutdown-grace", "SECONDS", Bounds.shutdownGrace,
        "after SIGTERM/SIGINT/SIGHUP, how long running jobs may finish (default 10)"
    )
    private static let snooze = Option<Duration>.duration(
        "snooze", "SECONDS", Bounds.snooze, "how long an --exec job waits after its command exits 75 (default 30)"
    )
    private static let retainCompleted = Option<Duration>.durationWithUnit(
        "retain-completed", "DURATION", Bounds.retention,
        "keep completed jobs this long for inspection, with a unit: 7d, 12h (default: delete them)"
    )
    private static let historyKept = Option<Int>.integer(
        "history-keep", "N", Bounds.historyKept, "messages kept per conversation, older ones pruned (default 200)"
    )
    private static let drain = Flag(
        "drain", "exit 0 once no job is runnable or leased (retries, snoozes and delays still scheduled stay)")
    private static let drainAll = Flag(
        "drain-all",
        "exit 0 once no job is left at all: also wait for scheduled jobs (retries, snoozes, rate holds, delays)"
    )
    private static let verbose = Flag(
        "verbose", "log every completed job too (failures, dead letters and shutdown are always logged)"
    )

    static let options =
        [Self.queueNames.spec, Self.queueAlias.spec, Self.concurrency.spec, Self.lease.spec]
        + ChatOverrides.specs
        + [
            Self.exec.spec, Self.kinds.spec, Self.drain.spec, Self.drainAll.spec, Self.shutdownGrace.spec,
            Self.snooze.spec, Self.retainCompleted.spec,
            Self.historyKept.spec, Self.verbose.spec,
        ]
    static let examples = [
        "switchboard work --config /etc/switchboard/switchboard.json --concurrency 16",
        "switchboard work --links open --default-owner me --local-replies - --drain",
        "switchboard work --db old.db --config /etc/switchboard/switchboard.json --drain-all",
        #"switchboard work --queue mail --exec 'jq -r .user >> sent.txt' --concurrency 8"#,
        "",
        "Without --exec the worker claims only chat jobs; other kinds wait for a worker that runs them.",
        "An --exec command sees SWITCHBOARD_JOB_ID, SWITCHBOARD_KIND, SWITCHBOARD_QUEUE and SWITCHBOARD_ATTEMPT.",
        "Exit 0 completes the job, 75 snoozes it, 65 dead-letters it, anything else retries it with backoff.",
        "SIGHUP stops the worker like SIGTERM. A second signal skips the grace period and hands jobs back at once.",
        "Commands die with the worker, however it ends. A job whose lease cannot be renewed (the database",
        "unreachable) or that is cancelled has its command's process group killed before the lease can pass on.",
        "A drain ends by printing what is left in the database, by queue and state.",
    ]

    let queues: [String]
    let command: String?
    let kinds: [String]?
    let concurrency: Int
    let lease: Duration
    let shutdownGrace: Duration
    let snooze: Duration
    let drain: Bool
    let drainAll: Bool
    let retainCompleted: Duration?
    let historyKept: Int?
    let overrides: ChatOverrides
    let verbose: Bool

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        queues = try arguments.value(Self.queueNames) ?? arguments.value(Self.queueAlias) ?? ["chat"]
        command = try arguments.value(Self.exec)
        kinds = try arguments.value(Self.kinds)
        if kinds != nil && command == nil { throw CommandFailure.usage("--kinds narrows --exec: give --exec too") }
        concurrency = try arguments.value(Self.concurrency) ?? 8
        lease = try arguments.value(Self.lease) ?? .seconds(30)
        shutdownGrace = try arguments.value(Self.shutdownGrace) ?? .seconds(10)
        snooze = try arguments.value(Self.snooze) ?? .seconds(30)
        drainAll = try arguments.isSet(Self.drainAll)
        drain = try arguments.isSet(Self.drain) || drainAll
        retainCompleted = try arguments.value(Self.retainCompleted)
        historyKept = try arguments.value(Self.historyKept)
        overrides = try ChatOverrides(arguments)
        verbose = try arguments.isSet(Self.verbose)
    }

    func run(_ context: CommandContext) async throws {
        let signals = StopSignals()
        var configuration = try context.configuration()
        overrides.apply(to: &configuration)
        configuration.historyKept = historyKept ?? configuration.historyKept
        let redactor = configuration.redactor
        let log = WorkerLog(json: context.output.json, verbose: verbose, redactor: redactor)
        let systemd = SystemdNotifier()
        let retention = retainCompleted ?? configuration.retainCompleted
        let opened = try await context.openStoreWaiting(
            .create, configuration: configuration, signals: signals, log: log.log,
            configure: { $0.completedRetention = retention })
        guard let store = opened else {
            log.stoppedWaiting()
            return
        }
        let environment = configuration.commandEnvironment(from: context.global.environment)
        var options = WorkerOptions(
            queues: queues, concurrency: concurrency, leaseDuration: lease, shutdownGrace: shutdownGrace, drain: drain,
            redactor: redactor)
        options.registers = true
        options.drainScheduled = drainAll
        let handler = try ChatWorker(
            store: store, configuration: configuration, http: HTTPClient(maxInFlight: concurrency + 2),
            fallback: command.map {
                ShellCommandHandler(
                    command: $0, environment: environment, snoozeDelay: snooze, kinds: kinds,
                    killGrace: options.killGrace)
            },
            notify: log.record
        )
        let pool = WorkerPool(
            store: store,
            handler: handler,
            options: options,
            onEvent: log.record
        )
        signals.handle { _ in
            systemd.stopping(status: "stopping: handing back the jobs that do not finish in time")
            pool.requestStop()
        }
        log.started(queues: queues, concurrency: concurrency, database: store.path)
        systemd.ready(status: "working \(queues.joined(separator: ",")) with concurrency \(concurrency)")
        let watchdog = systemd.feedWatchdog(whileAnswering: store)
        defer { watchdog?.cancel() }
        let report = try await pool.run()
        withExtendedLifetime(signals) {}
        if drain {
            // What a drain leaves behind is what a move off this database must deal with; not being able to
            // count it does not undo the drain.
            log.drained(left: try? await store.stats(), waitedForScheduled: drainAll)
        }
        log.finished(report)
    }
}
