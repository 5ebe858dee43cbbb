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
        "max-connections", "N", Bounds.connections,
        "connections open at once; more are refused (default 4096, within the open-file limit)")
    private static let maxConnectionsPerAddress = Option<Int>.integer(
        "max-connections-per-address", "N", Bounds.connectionsPerAddress,
        "connections open at once from one client address; more are refused (default 256; 0: no limit)")
    private static let connectionTimeout = Option<Duration>.duration(
        "connection-timeout", "SECONDS", Bounds.connectionTimeout, "close a connection idle this long (default 30)")
    private static let requestDeadline = Option<Duration>.duration(
        "request-deadline", "SECONDS", Bounds.requestDeadline,
        "cut off a connection whose request has not arrived whole this long after it opened or was last "
            + "answered, however it trickles (default 10)")
    private static let writeTimeout = Option<Duration>.duration(
        "write-timeout", "SECONDS", Bounds.writeTimeout,
        "answer 503 (the provider retries) when the database has not recorded a webhook within this; "
            + "also bounds the dashboard's and metrics' reads (default 2)")
    private static let reusePort = Flag(
        "reuse-port", "share the address with other servers started with this flag (SO_REUSEPORT)")
    private static let shutdownGrace = Option<Duration>.duration(
        "shutdown-grace", "SECONDS", Bounds.shutdownGrace,
        "after SIGTERM/SIGINT/SIGHUP, how long requests in flight may take to be answered (default 10)"
    )

    static let options =
        [Self.listen.spec] + IntakeFlags.specs
        + [
            Self.threads.spec, Self.maxConnections.spec, Self.maxConnectionsPerAddress.spec,
            Self.connectionTimeout.spec, Self.requestDeadline.spec, Self.writeTimeout.spec, Self.reusePort.spec,
            Self.shutdownGrace.spec,
        ]
    static let examples = [
        "switchboard serve --config /etc/switchboard/switchboard.json --listen 127.0.0.1:8080",
        "",
        "Routes: POST /webhooks/{telegram,slack,feishu,dingtalk,wecom} (and GET /webhooks/wecom), each checked",
        "with its provider's secret from the configuration; a provider without one is refused (404).",
        "POST /intake/{provider} takes any provider's payload with 'Authorization: Bearer' and intake.token.",
        "GET /healthz, /readyz (an event could be recorded now: the database answers within a second, takes",
        "a write and new space, its schema current) and /metrics (Prometheus).",
        "A delivery is answered 200 once committed (enqueued, duplicate or ignored), 401 when not authentic,",
        "400/415/422 when unreadable, 503 when the database cannot record it within --write-timeout (the",
        "provider retries).",
        "SIGTERM stops accepting, answers the requests in flight, and exits 0.",
    ]

    let listen: ListenAddress
    let intakeFlags: IntakeFlags
    let limits: HTTPServer.Limits
    let reusePort: Bool
    let writeTimeout: Duration
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
        limits.maxConnectionsPerAddress =
            try arguments.value(Self.maxConnectionsPerAddress) ?? limits.maxConnectionsPerAddress
        limits.connectionTimeout = try arguments.value(Self.connectionTimeout) ?? limits.connectionTimeout
        limits.requestDeadline = try arguments.value(Self.requestDeadline) ?? limits.requestDeadline
        self.limits = limits
        reusePort = try arguments.isSet(Self.reusePort)
        writeTimeout = try arguments.value(Self.writeTimeout) ?? .seconds(2)
        shutdownGrace = try arguments.value(Self.shutdownGrace) ?? .seconds(10)
    }

    func run(_ context: CommandContext) async throws {
        let signals = StopSignals()
        let configuration = try context.configuration()
        let log = ProcessLog(json: context.output.json, redactor: configuration.redactor)
        let opened = try await context.openStoreWaiting(
            .create, configuration: configuration, signals: signals, log: log)
        guard let store = opened else { return }
        let throughput = ThroughputHistory()
        let sampler = Task { [writeTimeout] in
            while !Task.isCancelled {
                if let workers = try? await StoreDeadline.within(writeTimeout, { try await store.workers() }) {
                    throughput.record(
                        at: store.clock.now(),
                        completed: workers.reduce(0) { $0 + $1.registration.tally.totals.completed })
                }
                try? await Task.sleep(for: .seconds(60))
            }
        }
        defer { sampler.cancel() }
        let routes = try await ServeRoutes(
            configuration: configuration, store: store,
            intakeOptions: intakeFlags.options(historyKept: configuration.historyKept), throughput: throughput,
            writeTimeout: writeTimeout,
            log: { log.write(.warning, "serve: " + $0, ["event": "request_failed", "error": $0]) })
        let server: HTTPServer
        do {
            server = try HTTPServer(
                address: listen, limits: connectionLimits(log: log), sharingPort: reusePort, handler: routes.answer)
        } catch {
            throw CommandFailure(exitCode: .unavailable, message: Self.explain(error), code: "cannot_listen")
        }
        if let warning = Dashboard.exposureWarning(token: configuration.dashboardToken, listening: server.address) {
            log.write(.warning, "serve: " + warning, ["event": "dashboard_exposed", "message": warning])
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
        log.write(.info, "serve: stopping; answering the requests in flight", ["event": "stopping"])
        systemd.stopping(status: "stopping: answering the requests in flight")
        await server.stop(grace: shutdownGrace)
        withExtendedLifetime(signals) {}
        log.write(.info, "serve: stopped", ["event": "stopped"])
    }

    /// The limits, with `--max-connections` lowered to what the open-file limit allows (after raising
    /// it as far as the hard limit lets), saying so.
    private func connectionLimits(log: ProcessLog) -> HTTPServer.Limits {
        var limits = self.limits
        let files = OpenFileLimit.raised()
        if limits.maxConnections > files.connections {
            log.write(
                .warning,
                "serve: the open-file limit is \(files.soft) (hard limit \(files.hard)): at most "
                    + "\(files.connections) connections, not \(limits.maxConnections); raise LimitNOFILE (systemd) or "
                    + "ulimit -n to allow more",
                ["event": "connections_limited", "connections": files.connections])
            limits.maxConnections = files.connections
        }
        return limits
    }

    /// The server's failure, with what the operator can do about an address in use.
    private static func explain(_ error: HTTPServerError) -> String {
        guard error.code == .addressInUse else { return error.description }
        return error.description
            + " (another serve, or another program, listens there): stop it, choose another --listen, or start "
            + "both with --reuse-port to share the port"
    }
}
