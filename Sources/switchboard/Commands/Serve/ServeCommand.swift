import ChatStore
import Enqueuer
import Foundation
import HTTPServer
import Queue
import Workers

/// `switchboard serve`: the webhook receiver. Each provider's webhooks are checked for authenticity and
/// written by group commit, then answered; forwarders post to `/intake/{provider}` with a bearer token.
struct ServeCommand: Command {
    static let name = "serve"
    static let summary = "Receive webhooks over HTTP, check each provider's signature, and enqueue them"
    private static let listen = Option<String>.text(
        "listen", "ADDR:PORT", "the address to listen on (default 127.0.0.1:8080; port 0 picks a free one)")
    private static let threads = Option<Int>.integer(
        "threads", "N", Bounds.serverThreads, "threads that read and parse requests (default 2)")
    private static let maxConnections = Option<Int>.integer(
        "max-connections", "N", Bounds.connections, "connections open at once; more are refused (default 1024)")
    private static let connectionTimeout = Option<Duration>.duration(
        "connection-timeout", "SECONDS", Bounds.connectionTimeout,
        "close a connection idle or trickling this long (default 30)")
    private static let shutdownGrace = Option<Duration>.duration(
        "shutdown-grace", "SECONDS", Bounds.shutdownGrace,
        "after SIGTERM/SIGINT/SIGHUP, how long requests in flight may take to be answered (default 10)"
    )

    static let options =
        [Self.listen.spec] + IntakeFlags.specs
        + [Self.threads.spec, Self.maxConnections.spec, Self.connectionTimeout.spec, Self.shutdownGrace.spec]
    static let examples = [
        "switchboard serve --config /etc/switchboard/switchboard.json --listen 127.0.0.1:8080",
        "",
        "Routes: POST /webhooks/{telegram,slack,feishu,dingtalk,wecom} (and GET /webhooks/wecom), each checked",
        "with its provider's secret from the configuration; a provider without one is refused (404).",
        "POST /intake/{provider} takes any provider's payload with 'Authorization: Bearer' and intake.token.",
        "GET /healthz, /readyz (the database is writable, its schema current) and /metrics (Prometheus).",
        "A delivery is answered 200 once committed (enqueued, duplicate or ignored), 401 when not authentic,",
        "400/415/422 when unreadable, 503 when the database cannot be written (the provider retries).",
        "SIGTERM stops accepting, answers the requests in flight, and exits 0.",
    ]

    let listen: ListenAddress
    let intakeFlags: IntakeFlags
    let limits: HTTPServer.Limits
    let shutdownGrace: Duration

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        let listenText = try arguments.value(Self.listen) ?? "127.0.0.1:8080"
        guard let listen = ListenAddress(listenText) else {
            throw CommandFailure.usage(
                "--listen \(listenText) is not ADDR:PORT with a numeric address (127.0.0.1:8080, [::1]:8080)")
        }
        self.listen = listen
        intakeFlags = try IntakeFlags(arguments)
        var limits = HTTPServer.Limits()
        limits.threads = try arguments.value(Self.threads) ?? limits.threads
        limits.maxConnections = try arguments.value(Self.maxConnections) ?? limits.maxConnections
        limits.connectionTimeout = try arguments.value(Self.connectionTimeout) ?? limits.connectionTimeout
        self.limits = limits
        shutdownGrace = try arguments.value(Self.shutdownGrace) ?? .seconds(10)
    }

    func run(_ context: CommandContext) async throws {
        let signals = StopSignals()
        let configuration = try context.configuration()
        let gate = WebhookGate(secrets: configuration.providers.mapValues(\.credentials))
        if let problem = gate.configurationProblem {
            throw CommandFailure(exitCode: .dataError, message: problem, code: "invalid_configuration")
        }
        let redactor = configuration.redactor
        let opened = try await context.openStoreWaiting(.create, configuration: configuration, signals: signals) {
            attempt, delay, reason in
            Output.message(
                redactor.redact(
                    "serve: waiting for the database (attempt \(attempt), next in \(delay.seconds) s): \(reason)"))
            SystemdNotifier().waiting(status: "waiting for the database (attempt \(attempt))", next: delay)
        }
        guard let store = opened else { return }
        let throughput = ThroughputHistory()
        let sampler = Task {
            while !Task.isCancelled {
                if let workers = try? await store.workers() {
                    throughput.record(
                        at: store.clock.now(),
                        completed: workers.reduce(0) { $0 + $1.registration.tally.totals.completed })
                }
                try? await Task.sleep(for: .seconds(60))
            }
        }
        defer { sampler.cancel() }
        let routes = ServeRoutes(
            gate: gate,
            intakeToken: configuration.intakeToken,
            batcher: IntakeBatcher(
                intake: Intake(store: store, options: intakeFlags.options(historyKept: configuration.historyKept))),
            store: store,
            metrics: ServeMetrics(),
            schemaVersion: try await store.schemaVersion(),
            log: { Output.message(redactor.redact("serve: " + $0)) },
            dashboard: Dashboard(
                store: store, chat: try ChatStore(store), token: configuration.dashboardToken, throughput: throughput)
        )
        let server: HTTPServer
        do {
            server = try HTTPServer(address: listen, limits: limits, handler: routes.answer)
        } catch {
            throw CommandFailure(exitCode: .unavailable, message: "\(error)")
        }
        let (stopRequests, stopRequested) = AsyncStream.makeStream(of: Int32.self)
        signals.handle { stopRequested.yield($0) }
        context.output.result(
            "listening on http://\(server.address) (database \(store.path))",
            json: ["listening": server.address.description, "port": Int(server.port)])
        let systemd = SystemdNotifier()
        systemd.ready(status: "listening on \(server.address)")
        let watchdog = systemd.feedWatchdog(whileAnswering: store)
        defer { watchdog?.cancel() }
        var waiting = stopRequests.makeAsyncIterator()
        _ = await waiting.next()
        Output.message("serve: stopping; answering the requests in flight")
        systemd.stopping(status: "stopping: answering the requests in flight")
        await server.stop(grace: shutdownGrace)
        withExtendedLifetime(signals) {}
        Output.message("serve: stopped")
    }
}
