import ChatStore
import Enqueuer
import Foundation
import HTTPClient
import Queue
import Workers

/// `switchboard poll`: receives a provider's updates by long polling, for bots without a public URL.
struct PollCommand: Command {
    static let name = "poll"
    static let summary = "Receive Telegram or WeChat updates by long polling, for bots without a public URL"
    /// The providers with a long poll.
    private static let polled = Provider.allCases.filter { $0.api.longPoll.part != nil }.map(\.rawValue)
    private static let provider = Option<Provider>.choice("provider", polled.joined(separator: " or ")).required
    private static let pollTimeout = Option<Duration>.duration(
        "poll-timeout", "SECONDS", Bounds.pollTimeout,
        "how long the provider may hold a poll open when nothing arrives (default 30)")
    private static let drain = Flag("drain", "exit 0 once a poll finds nothing new")
    private static let verbose = Flag("verbose", "log every recorded page too")

    static let options =
        [Self.provider.spec] + IntakeFlags.specs
        + [Self.pollTimeout.spec, Self.drain.spec, Self.verbose.spec]
    static let examples = [
        "switchboard poll --provider telegram --config /etc/switchboard/switchboard.json",
        "",
        "Each page of updates is recorded with the cursor past it (Telegram's offset, WeChat's",
        "get_updates_buf) in one transaction: a restart neither loses nor repeats updates.",
        "Telegram refuses getUpdates while a webhook is set: delete it, or use `switchboard serve`.",
        "SIGTERM abandons the poll in flight (the provider sends it again) and exits 0.",
    ]

    let provider: Provider
    /// The provider's long poll.
    let updateSource: any UpdateSource.Type
    let intakeFlags: IntakeFlags
    let pollTimeout: Duration
    let drain: Bool
    let verbose: Bool

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        provider = try arguments.required(Self.provider)
        guard case .present(let source) = provider.api.longPoll else {
            throw CommandFailure.usage(
                "--provider \(provider.rawValue) cannot be polled: only \(Self.polled.joined(separator: " and ")) "
                    + "offer a long poll; receive it with `switchboard serve`")
        }
        updateSource = source
        intakeFlags = try IntakeFlags(arguments)
        pollTimeout = try arguments.value(Self.pollTimeout) ?? .seconds(30)
        drain = try arguments.isSet(Self.drain)
        verbose = try arguments.isSet(Self.verbose)
    }

    func run(_ context: CommandContext) async throws {
        let signals = StopSignals()
        let configuration = try context.configuration()
        let settings = configuration.settings(for: provider)
        for name in provider.api.credentials where settings.credential(name).isEmpty {
            throw CommandFailure(
                exitCode: .usage,
                message: "providers.\(provider.rawValue).\(name) is not configured (or set "
                    + "\(SwitchboardEnvironment.providerSetting(provider, name)))")
        }
        let log = ProcessLog(json: context.output.json, redactor: configuration.redactor)
        let opened = try await context.openStoreWaiting(
            .create, configuration: configuration, signals: signals, log: log)
        guard let store = opened else { return }
        let http = HTTPClient(maxInFlight: 1)
        let source = updateSource.init(settings: settings, http: http, timeout: pollTimeout)
        let poller = Poller(
            source: source,
            intake: Intake(store: store, options: intakeFlags.options(historyKept: configuration.historyKept)),
            chat: try ChatStore(store), drain: drain
        ) { event in
            switch event {
            case .recorded(let results) where verbose:
                log.write(
                    .info, "poll: recorded \(results.count) updates", ["event": "recorded", "updates": results.count])
            case .recorded:
                break
            case .failed(let error, let pause):
                log.write(
                    .warning, "poll: \(error); trying again in \(pause.seconds) s",
                    ["event": "poll_failed", "error": "\(error)", "retry_in_s": pause.seconds])
            }
        }
        let systemd = SystemdNotifier()
        signals.handle { _ in
            systemd.stopping(status: "stopping")
            poller.requestStop()
        }
        log.write(
            .info, "poll: reading \(source.name) updates into \(store.path)",
            ["event": "started", "provider": provider.rawValue, "database": store.path])
        systemd.ready(status: "polling \(source.name)")
        let watchdog = systemd.feedWatchdog(whileAnswering: store)
        defer { watchdog?.cancel() }
        let report: Poller.Report
        do {
            report = try await poller.run()
        } catch let error as PollError {
            throw CommandFailure(exitCode: .unavailable, message: log.redactor.redact(error.description))
        }
        withExtendedLifetime(signals) {}
        context.output.result(
            "poll: \(report.polls) polls, \(report.enqueued) enqueued, \(report.duplicates) duplicates, "
                + "\(report.ignored) ignored, \(report.rejected) rejected",
            json: [
                "polls": report.polls, "enqueued": report.enqueued, "duplicates": report.duplicates,
                "ignored": report.ignored, "rejected": report.rejected,
            ])
    }
}
