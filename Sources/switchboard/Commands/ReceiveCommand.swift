import ChatStore
import Enqueuer
import Foundation
import HTTPClient
import JSON
import Queue
import Workers

/// `switchboard receive`: receives bots' events over the providers' own connections (socket modes and
/// long polls), for bots without a public URL.
struct ReceiveCommand: Command {
    static let name = "receive"
    static let summary = "Receive bots' events over the providers' socket modes and long polls (no public URL)"
    /// The providers that can be received without a public URL.
    private static let receivable = Provider.allCases.filter {
        $0.api.socketMode.part != nil || $0.api.longPoll.part != nil
    }
    private static let providers = Option<[String]>.list(
        "provider", "P[,P...]",
        "the providers to receive, of \(receivable.map(\.rawValue).joined(separator: ", ")) (default: every "
            + "configured one with its credentials)")
    private static let verbose = Flag("verbose", "log every recorded batch too")

    static let options = [Self.providers.spec] + IntakeFlags.specs + [Self.verbose.spec]
    static let examples = [
        "switchboard receive --config /etc/switchboard/switchboard.json",
        "switchboard receive --provider slack,discord",
        "",
        "Over WebSockets: Slack Socket Mode (providers.slack.app_token), the Discord Gateway (bot_token),",
        "Feishu's long connection (app_id, app_secret), DingTalk Stream mode (client_id, client_secret)",
        "and WeCom's AI bot (bot_id, bot_secret), whose replies go out over the socket; Telegram and",
        "WeChat by long polling, as `poll` does. Each event is acknowledged only after it is committed.",
        "Of several `receive` processes on one database, one holds each bot; the others take over",
        "within about 13 s when it dies. Exits 69 naming the setting when a provider refuses a credential.",
    ]

    let requested: [Provider]?
    let intakeFlags: IntakeFlags
    let verbose: Bool

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        requested = try arguments.value(Self.providers).map { names in
            try names.map { name in
                guard let provider = Provider(rawValue: name), Self.receivable.contains(provider) else {
                    throw CommandFailure.usage(
                        "--provider \(name) cannot be received here: choose from "
                            + Self.receivable.map(\.rawValue).joined(separator: ", ")
                            + (Provider(rawValue: name).map { " (\($0.api.socketMode.absentReason ?? ""))" } ?? ""))
                }
                return provider
            }
        }
        intakeFlags = try IntakeFlags(arguments)
        verbose = try arguments.isSet(Self.verbose)
    }

    func run(_ context: CommandContext) async throws {
        let signals = StopSignals()
        let configuration = try context.configuration()
        let providers = try chosenProviders(configuration)
        let log = ProcessLog(json: context.output.json, redactor: configuration.redactor)
        let opened = try await context.openStoreWaiting(
            .create, configuration: configuration, signals: signals, log: log)
        guard let store = opened else { return }
        let intake = Intake(store: store, options: intakeFlags.options(historyKept: configuration.historyKept))
        let chat = try ChatStore(store)
        let http = HTTPClient(maxInFlight: 4 * providers.count)
        let holder = Self.holderName()
        let runs = providers.map { provider in
            ReceiverRun.make(
                provider: provider, settings: configuration.settings(for: provider), http: http, intake: intake,
                chat: chat, holder: holder, log: log, verbose: verbose)
        }
        let systemd = SystemdNotifier()
        signals.handle { _ in
            systemd.stopping(status: "stopping")
            runs.forEach { $0.requestStop() }
        }
        log.write(
            .info, "receive: \(runs.map(\.name).joined(separator: ", ")) into \(store.path)",
            ["event": "started", "streams": runs.map(\.name).joined(separator: ","), "database": store.path])
        systemd.ready(status: "receiving \(runs.map(\.name).joined(separator: ", "))")
        let watchdog = systemd.feedWatchdog(whileAnswering: store)
        defer { watchdog?.cancel() }
        let outcomes = await withTaskGroup(of: (String, Result<ReceiverRun.Totals, any Error>).self) { group in
            for run in runs {
                group.addTask {
                    do {
                        return (run.name, .success(try await run.run()))
                    } catch {
                        runs.forEach { $0.requestStop() }
                        return (run.name, .failure(error))
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        withExtendedLifetime(signals) {}
        for case (let name, .failure(let error)) in outcomes {
            let fatal = error is ReceiveError || error is PollError
            throw CommandFailure(
                exitCode: fatal ? .unavailable : .software,
                message: log.redactor.redact("receive \(name): \(error)"))
        }
        let totals = outcomes.compactMap { try? $0.1.get() }.reduce(ReceiverRun.Totals(), +)
        context.output.result(
            "receive: \(totals.enqueued) enqueued, \(totals.duplicates) duplicates, \(totals.ignored) ignored, "
                + "\(totals.rejected) rejected",
            json: [
                "enqueued": totals.enqueued, "duplicates": totals.duplicates, "ignored": totals.ignored,
                "rejected": totals.rejected,
            ])
    }

    /// The providers asked for, each with what it needs; by default every configured one that can be
    /// received.
    private func chosenProviders(_ configuration: ChatConfiguration) throws -> [Provider] {
        let candidates = requested ?? Self.receivable.filter { configuration.providers[$0] != nil }
        var chosen: [Provider] = []
        for provider in candidates {
            let settings = configuration.settings(for: provider)
            let missing =
                provider.api.missingCredentials(settings)
                + (provider.api.socketMode.part?.requiredSettings ?? []).filter { settings.credential($0).isEmpty }
            if missing.isEmpty {
                chosen.append(provider)
            } else if requested != nil {
                throw CommandFailure(
                    exitCode: .usage,
                    message: "providers.\(provider.rawValue).\(missing[0]) is not configured (or set "
                        + "\(SwitchboardEnvironment.providerSetting(provider, missing[0]))): "
                        + "\(provider.rawValue) cannot be received without it")
            }
        }
        guard !chosen.isEmpty else {
            throw CommandFailure(
                exitCode: .usage,
                message: "no provider to receive: configure one with its credentials (for instance "
                    + "providers.slack.app_token and bot_token, or providers.discord.bot_token), or name it with "
                    + "--provider")
        }
        return chosen
    }

    /// Names this process among the fleet's receivers: host, process id and a random part.
    private static func holderName() -> String {
        "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"
    }
}

extension ProviderPart {
    /// Why the provider has no such part; nil when it has one.
    fileprivate var absentReason: String? {
        if case .absent(let reason) = self { reason } else { nil }
    }
}
