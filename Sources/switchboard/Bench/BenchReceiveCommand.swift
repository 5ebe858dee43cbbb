import ChatStore
import Enqueuer
import Foundation
import HTTPClient
import Harness
import JSON
import Queue
import Workers

/// `switchboard bench receive`: Slack events pushed over Socket Mode by the fake provider to a
/// `receive` process, each recorded and acknowledged, beside batched intake of the same events in the
/// same run.
struct BenchReceiveCommand: Command {
    static let name = "bench receive"
    static let summary = "Measure receive: Slack Socket Mode events recorded and acknowledged, beside batched intake"
    private static let events = Option<Int>.integer(
        "events", "N", .count(1_000...1_000_000), "events pushed over the socket (default 20000)")

    static let options = [Self.events.spec, BenchDirectory.option.spec]
    static let examples = ["switchboard bench receive", "switchboard bench receive --events 50000 --durability full"]

    /// Events per request that queues them at the fake provider.
    static let queueChunk = 1_000

    let events: Int
    let directory: String?

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        events = try arguments.value(Self.events) ?? 20_000
        directory = try arguments.value(BenchDirectory.option)
    }

    func run(_ context: CommandContext) async throws {
        try await BenchDirectory.withScratch(under: directory) { try await run(context, in: $0) }
    }

    private func run(_ context: CommandContext, in directory: URL) async throws {
        let durability = context.global.durability
        let database = try await BenchDirectory.database(in: directory, context: context)
        let engine = try database.engine()
        let stream = SyntheticDeliveries(
            count: events, redeliveryRate: 0, conversations: max(1, events / 4), providers: [.slack]
        ).make().map(\.body)

        let fake = try await FakeProviderProcess()
        defer { fake.stop() }
        let config = directory.appendingPathComponent("receive.json").path
        try Data(
            #"""
            {"providers": {"slack": {"base_url": "\#(fake.baseURL)", "bot_token": "xoxb-bench",
                                     "app_token": "xapp-1-ABENCH-1-bench"}}}
            """#.utf8
        ).write(to: URL(fileURLWithPath: config))
        var environment = ProcessInfo.processInfo.environment
        environment["SWITCHBOARD_DB"] = try await database.fresh("receive.db").connectionText
        let receiver = try SwitchboardChild(
            arguments: [
                "--json", "--durability", durability.rawValue, "receive", "--provider", "slack", "--config", config,
            ], environment: environment, errorOutput: .inherit)
        defer { receiver.signal(SIGKILL) }
        try await waitFor("the receiver to connect") { try await Self.slack(fake, "connections") >= 1 }

        Output.message("bench: \(events) Slack events over Socket Mode, each recorded, then acknowledged...")
        let started = ContinuousClock.now
        for start in stride(from: 0, to: stream.count, by: Self.queueChunk) {
            let chunk = stream[start..<min(start + Self.queueChunk, stream.count)]
            let payloads = chunk.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ",")
            try await fake.queueSocketEvents(#"{"slack": [\#(payloads)]}"#)
        }
        try await waitFor("every event to be acknowledged") { try await Self.slack(fake, "acked") >= events }
        let receiveRate = Double(events) / (ContinuousClock.now - started).seconds

        receiver.signal(SIGTERM)
        let stopped = await receiver.waitForExit()
        guard stopped == 0 else {
            throw CommandFailure(exitCode: .software, message: "receive exited \(stopped) after SIGTERM")
        }

        Output.message("bench: batched intake of the same \(events) events, in this process...")
        var options = StoreOptions()
        options.durability = durability
        let store = try await SwitchboardDatabase.open(try await database.fresh("intake.db"), options: options)
        let lines = stream.enumerated().map { ($0 + 1, Delivery(provider: .slack, body: $1)) }
        let intakeStarted = ContinuousClock.now
        try await IntakeCommand.receiveBatch(lines, into: Intake(store: store)) { _ in }
        let intakeRate = Double(lines.count) / (ContinuousClock.now - intakeStarted).seconds
        try await database.cleanUp()

        let text = [
            "Switchboard receive benchmark",
            MachineDescription.reportLine(engine: engine),
            "durability: \(durability.rawValue); Slack events pushed by the fake provider over one WebSocket "
                + "(another process) to `receive`, which records each and acknowledges it after the commit",
            "",
            String(format: "receive, %d events:               %8.0f events/s", events, receiveRate),
            String(
                format: "intake --batch, same events:       %8.0f events/s (receive is %.0f%% of it)", intakeRate,
                receiveRate / intakeRate * 100),
        ].joined(separator: "\n")
        context.output.result(
            text,
            json: [
                "machine": MachineDescription.current, "database": engine, "durability": durability.rawValue,
                "events": events, "receive_events_per_s": receiveRate, "intake_batched_per_s": intakeRate,
            ])
    }

    /// A figure of the fake provider's Slack socket.
    private static func slack(_ fake: FakeProviderProcess, _ key: String) async throws -> Int {
        Int(try await fake.socketState()["slack"]?.objectValue?[key]?.integerValue ?? 0)
    }

    /// Polls `condition` every 10 ms, for at most ten minutes.
    private func waitFor(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(600)
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                throw CommandFailure(exitCode: .software, message: "bench: gave up waiting for \(what)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
