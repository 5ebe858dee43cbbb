import Foundation
import Queue
import Workers

/// `switchboard work`: a worker for chat jobs (turns, link commands, deliveries) and, with `--exec`,
/// a shell command for any other kind.
struct WorkCommand: Command {
    static let name = "work"
    static let summary = "Work chat jobs (and, with --exec, any other kind) until stopped or drained"
    static let synopsis = [
        "work [--queues Q[,Q2...]] [--concurrency N] [--lease SECONDS] [--agent echo|URL] [--links required|open] "
            + "[--default-owner A] [--link-base URL] [--config FILE] [--local-replies FILE|-] [--exec 'COMMAND'] "
            + "[--kinds K[,K2...]] [--drain] [--shutdown-grace SECONDS] [--snooze SECONDS] "
            + "[--retain-completed DURATION] [--history-keep N] [--verbose]",
    ]
    static let options: [OptionSpec] = [
        .value("queues", "Q[,Q2...]", "the queues to take jobs from (default chat); --queue is the same"),
        .value("queue", "Q[,Q2...]", "same as --queues"),
        .value("concurrency", "N", "jobs in flight at once (default 8)"),
        .value("lease", "SECONDS", "lease length; renewed every third of it while a job runs (default 30)"),
        .value("agent", "echo|URL", "who answers turns: the built-in echo, or an HTTP endpoint (default: config, else echo)"),
        .value("links", "required|open", "answer only linked chats, or route every chat to --default-owner"),
        .value("default-owner", "A", "the owner of every chat with --links open"),
        .value("link-base", "URL", "tell unlinked chats to open URL followed by a link token"),
        .value("config", "FILE", "a JSON configuration file (see ops/switchboard.example.json)"),
        .value("local-replies", "FILE|-", "write replies as JSON lines to FILE (- for stdout) instead of sending them"),
        .value("exec", "COMMAND", "run other kinds of jobs through /bin/sh -c, payload on stdin"),
        .value("kinds", "K[,K2...]", "with --exec: run only these kinds through the command (default: every kind)"),
        .value("shutdown-grace", "SECONDS", "after SIGTERM/SIGINT/SIGHUP, how long running jobs may finish (default 10)"),
        .value("snooze", "SECONDS", "how long an --exec job waits after its command exits 75 (default 30)"),
        .value("retain-completed", "DURATION", "keep completed jobs this long for inspection (default: delete them)"),
        .value("history-keep", "N", "messages kept per conversation, older ones pruned (default 200)"),
        .flag("drain", "exit 0 once no job is runnable or leased"),
        .flag("verbose", "log every completed job too (failures, dead letters and shutdown are always logged)"),
    ]
    static let examples = [
        "switchboard work --config /etc/switchboard/switchboard.json --concurrency 16",
        "switchboard work --links open --default-owner me --local-replies - --drain",
        #"switchboard work --queue mail --exec 'jq -r .user >> sent.txt' --concurrency 8"#,
        "",
        "Without --exec the worker claims only chat jobs; other kinds wait for a worker that runs them.",
        "An --exec command sees SWITCHBOARD_JOB_ID, SWITCHBOARD_KIND, SWITCHBOARD_QUEUE and SWITCHBOARD_ATTEMPT.",
        "Exit 0 completes the job, 75 snoozes it, 65 dead-letters it, anything else retries it with backoff.",
        "SIGHUP stops the worker like SIGTERM. A second signal skips the grace period and hands jobs back at once.",
        "Commands die with the worker, however it ends.",
    ]

    let queues: [String]
    let command: String?
    let kinds: [String]?
    let concurrency: Int
    let lease: Duration
    let shutdownGrace: Duration
    let snooze: Duration
    let drain: Bool
    let retainCompleted: Duration?
    let historyKept: Int?
    let configFile: String?
    let overrides: ChatOverrides
    let verbose: Bool

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        let queueList = arguments.string("queues") ?? arguments.string("queue") ?? "chat"
        queues = queueList.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if queues.isEmpty { throw CommandFailure.usage("--queues needs at least one queue name") }
        command = arguments.string("exec")
        if command?.isEmpty == true { throw CommandFailure.usage("--exec needs a command") }
        kinds = arguments.string("kinds").map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if kinds != nil && command == nil { throw CommandFailure.usage("--kinds narrows --exec: give --exec too") }
        if kinds?.isEmpty == true { throw CommandFailure.usage("--kinds needs at least one kind") }
        concurrency = try arguments.integer("concurrency", Bounds.concurrency) ?? 8
        lease = try arguments.duration("lease", Bounds.lease) ?? .seconds(30)
        shutdownGrace = try arguments.duration("shutdown-grace", Bounds.shutdownGrace) ?? .seconds(10)
        snooze = try arguments.duration("snooze", Bounds.snooze) ?? .seconds(30)
        drain = arguments.flag("drain")
        retainCompleted = try arguments.duration("retain-completed", Bounds.retention)
        historyKept = try arguments.integer("history-keep", Bounds.historyKept)
        configFile = arguments.string("config")
        overrides = try ChatOverrides(arguments)
        verbose = arguments.flag("verbose")
    }

    func run(_ context: CommandContext) async throws {
        var configuration = try ChatConfiguration.load(file: configFile, environment: ProcessInfo.processInfo.environment)
        overrides.apply(to: &configuration)
        configuration.historyKept = historyKept ?? configuration.historyKept
        let store = try await context.openStore(.create) { options in
            options.completedRetention = retainCompleted ?? configuration.retainCompleted
        }
        let redactor = configuration.redactor
        let log = WorkerLog(json: context.output.json, verbose: verbose, redactor: redactor)
        let environment = configuration.commandEnvironment(from: ProcessInfo.processInfo.environment)
        let handler = try ChatWorker(
            store: store, configuration: configuration, http: HTTPClient(threads: concurrency + 2),
            fallback: command.map {
                ShellCommandHandler(command: $0, environment: environment, snoozeDelay: snooze, kinds: kinds)
            }
        )
        let pool = WorkerPool(
            store: store,
            handler: handler,
            options: WorkerOptions(
                queues: queues, concurrency: concurrency, leaseDuration: lease, shutdownGrace: shutdownGrace,
                drain: drain, redactor: redactor
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
