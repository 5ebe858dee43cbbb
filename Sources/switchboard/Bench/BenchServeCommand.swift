import ChatStore
import Enqueuer
import Foundation
import HTTPClient
import Harness
import JSON
import Queue
import Synchronization
import Workers

/// `switchboard bench serve`: signed Slack events posted to a `serve` process over keep-alive
/// connections, as fast as they are answered and then at a steady rate, beside batched intake of the
/// same events in the same run.
struct BenchServeCommand: Command {
    static let name = "bench serve"
    static let summary = "Measure serve: signed webhooks over keep-alive connections, beside batched intake"
    private static let events = Option<Int>.integer(
        "events", "N", .count(1_000...10_000_000), "events in the throughput phase (default 50000)")
    private static let connections = Option<Int>.integer(
        "connections", "N", .count(1...1_024), "client connections, each kept alive (default 64)")
    private static let rate = Option<Int>.integer(
        "rate", "N", Bounds.rate, "events per second in the latency phase (default 1000)")
    private static let seconds = Option<Int>.integer(
        "seconds", "N", .count(1...3_600), "length of the latency phase (default 10)")
    private static let wrkSeconds = Option<Int>.integer(
        "wrk-seconds", "N", .count(0...600),
        "length of the phase with wrk as the client, if installed; 0 skips it (default 5)")

    static let options = [
        Self.events.spec, Self.connections.spec, Self.rate.spec, Self.seconds.spec, Self.wrkSeconds.spec,
        BenchDirectory.option.spec,
    ]
    static let examples = [
        "switchboard bench serve", "switchboard bench serve --events 100000 --connections 64 --durability full",
    ]

    static let signingSecret = "bench-signing-secret"

    let events: Int
    let connections: Int
    let rate: Int
    let seconds: Int
    let wrkSeconds: Int
    let directory: String?

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        events = try arguments.value(Self.events) ?? 50_000
        connections = try arguments.value(Self.connections) ?? 64
        rate = try arguments.value(Self.rate) ?? 1_000
        seconds = try arguments.value(Self.seconds) ?? 10
        wrkSeconds = try arguments.value(Self.wrkSeconds) ?? 5
        directory = try arguments.value(BenchDirectory.option)
    }

    func run(_ context: CommandContext) async throws {
        try await BenchDirectory.withScratch(under: directory) { try await run(context, in: $0) }
    }

    private func run(_ context: CommandContext, in directory: URL) async throws {
        let durability = context.global.durability
        let database = try await BenchDirectory.database(in: directory, context: context)
        let engine = try database.engine()
        let latencyEvents = rate * seconds
        let stream = SyntheticDeliveries(
            count: events + latencyEvents, redeliveryRate: 0, conversations: max(1, events / 4), providers: [.slack]
        ).make().map { String(decoding: $0.body, as: UTF8.self) }

        let config = directory.appendingPathComponent("serve.json").path
        try Data(
            #"{"providers": {"slack": {"bot_token": "xoxb-bench", "signing_secret": "\#(Self.signingSecret)"}}}"#.utf8
        )
        .write(to: URL(fileURLWithPath: config))
        var environment = ProcessInfo.processInfo.environment
        environment["SWITCHBOARD_DB"] = try await database.fresh("serve.db").connectionText
        let server = try await ServeProcess(
            SwitchboardChild(
                arguments: [
                    "--json", "--durability", durability.rawValue, "serve", "--listen", "127.0.0.1:0", "--config",
                    config,
                    // Every client connection comes from loopback, as from a proxy: no per-address limit.
                    "--max-connections-per-address", "0",
                ], environment: environment, errorOutput: .inherit))
        defer { server.child.signal(SIGKILL) }
        let client = HTTPClient(maxInFlight: connections)
        let url = server.baseURL + "/webhooks/slack"

        Output.message("bench: \(events) signed Slack events over \(connections) keep-alive connections...")
        let requests = stream.prefix(events).map { body in
            HTTPRequest.json(url, Data(body.utf8), headers: WebhookSigner.slack(body, secret: Self.signingSecret))
        }
        let started = ContinuousClock.now
        let statuses = try await withThrowingTaskGroup(of: [Int: Int].self) { group in
            for lane in 0..<connections {
                group.addTask {
                    var statuses: [Int: Int] = [:]
                    for index in stride(from: lane, to: requests.count, by: connections) {
                        statuses[try await client.send(requests[index]).status, default: 0] += 1
                    }
                    return statuses
                }
            }
            return try await group.reduce(into: [Int: Int]()) { $0.merge($1, uniquingKeysWith: +) }
        }
        let serveRate = Double(events) / (ContinuousClock.now - started).seconds
        guard statuses[200] == events else {
            throw CommandFailure(exitCode: .software, message: "serve answered \(statuses), not \(events) × 200")
        }

        Output.message("bench: latency at \(rate) events/s for \(seconds) s...")
        let latencies = try await steadyLatencies(Array(stream.suffix(latencyEvents)), url: url, client: client)

        let wrk = wrkSeconds == 0 ? nil : WrkComparison(directory: directory, serverURL: server.baseURL)
        let wrkRate = try await wrk?.run(seconds: wrkSeconds, connections: connections, secret: Self.signingSecret)

        server.child.signal(SIGTERM)
        let stopped = await server.child.waitForExit()
        guard stopped == 0 else {
            throw CommandFailure(exitCode: .software, message: "serve exited \(stopped) after SIGTERM")
        }

        Output.message("bench: batched intake of the same \(events) events, in this process...")
        let intakeRate = try await batchedIntake(
            Array(stream.prefix(events)), database: database, durability: durability)
        try await database.cleanUp()

        let p50 = latencies.isEmpty ? 0 : latencies[latencies.count / 2]
        let p99 = latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
        let text = [
            "Switchboard serve benchmark",
            MachineDescription.reportLine(engine: engine),
            "durability: \(durability.rawValue); signed Slack events (HMAC checked on each); client in this process "
                + "(libcurl, \(connections) keep-alive connections), serve in another",
            "",
            String(format: "serve, %d events:                 %8.0f events/s", events, serveRate),
            String(
                format: "intake --batch, same events:       %8.0f events/s (serve is %.0f%% of it)", intakeRate,
                serveRate / intakeRate * 100),
            String(
                format: "serve latency at %d events/s (%d events): p50 %.2f ms, p99 %.2f ms, max %.2f ms", rate,
                latencies.count, p50, p99, latencies.last ?? 0),
            wrkRate.map {
                String(
                    format: "serve with wrk as the client:      %8.0f events/s (%d connections, 2 threads, pre-signed)",
                    $0, connections)
            }
                ?? "serve with wrk as the client: not measured (\(wrkSeconds == 0 ? "--wrk-seconds 0" : "wrk is not installed"))",
        ].joined(separator: "\n")
        context.output.result(
            text,
            json: [
                "machine": MachineDescription.current, "database": engine, "durability": durability.rawValue,
                "events": events,
                "connections": connections, "serve_events_per_s": serveRate, "intake_batched_per_s": intakeRate,
                "latency_rate": rate, "latency_p50_ms": p50, "latency_p99_ms": p99,
                "latency_max_ms": latencies.last ?? 0,
                "wrk_events_per_s": wrkRate.map(JSONValue.double) ?? .null,
            ])
    }

    /// Posts `bodies` at a steady `rate`, each at its scheduled time whether or not earlier ones are
    /// answered (an open loop, as webhooks arrive), and returns each one's time from its schedule to its
    /// answer, in milliseconds, sorted.
    private func steadyLatencies(_ bodies: [String], url: String, client: HTTPClient) async throws -> [Double] {
        let start = ContinuousClock.now + .milliseconds(100)
        let interval = Duration.seconds(1) / rate
        let latencies = try await withThrowingTaskGroup(of: Double.self) { group in
            for (index, body) in bodies.enumerated() {
                let scheduled = start + interval * index
                try await Task.sleep(until: scheduled)
                group.addTask {
                    let request = HTTPRequest.json(
                        url, Data(body.utf8), headers: WebhookSigner.slack(body, secret: Self.signingSecret))
                    let response = try await client.send(request)
                    guard response.status == 200 else {
                        throw CommandFailure(exitCode: .software, message: "serve answered \(response.status)")
                    }
                    return (ContinuousClock.now - scheduled).seconds * 1_000
                }
            }
            return try await group.reduce(into: [Double]()) { $0.append($1) }
        }
        return latencies.sorted()
    }

    /// `intake --batch` of the same events, through the command's own path (every line checked, then
    /// transactions of `EnqueueCommand.batchTransactionSize`).
    private func batchedIntake(_ bodies: [String], database: BenchmarkDatabase, durability: Durability)
        async throws -> Double
    {
        var options = StoreOptions()
        options.durability = durability
        let store = try await SwitchboardDatabase.open(try await database.fresh("intake.db"), options: options)
        let lines = bodies.enumerated().map { ($0 + 1, Delivery(provider: .slack, body: Data($1.utf8))) }
        let started = ContinuousClock.now
        try await IntakeCommand.receiveBatch(lines, into: Intake(store: store)) { _ in }
        return Double(lines.count) / (ContinuousClock.now - started).seconds
    }
}
