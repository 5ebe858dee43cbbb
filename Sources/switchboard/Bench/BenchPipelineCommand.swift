import ChatStore
import Enqueuer
import Foundation
import HTTPClient
import Harness
import JSON
import Queue
import Workers

/// `switchboard bench pipeline`: events per second from intake to answered at a loopback fake provider,
/// with worker processes, and intake-to-reply latency at a steady rate; beside the fake provider's own
/// capacity, measured in the same run.
///
/// A message counts as answered when a reply carrying it reaches the fake provider: messages that
/// waited together are answered in one reply (one line each), so replies can be fewer than messages.
///
/// With `--agent echo-stream` it measures live replies instead: at a steady rate, the time from intake
/// to the first text shown in the chat, and to the final text shown (by a send or an edit).
struct BenchPipelineCommand: Command {
    /// The built-in agent the workers answer with.
    enum BenchAgent: String, CaseIterable, Sendable {
        case echo
        case echoStream = "echo-stream"
    }

    static let name = "bench pipeline"
    static let summary = "Measure intake-to-delivered throughput and latency against a loopback fake provider"
    private static let events = Option<Int>.integer(
        "events", "N", .count(100...10_000_000), "events in the throughput phase (default 20000)"
    )
    private static let rate = Option<Int>.integer(
        "rate", "N", .count(1...100_000), "events per second in the latency phase (default 500)")
    private static let seconds = Option<Int>.integer(
        "seconds", "S", .count(1...3_600), "length of the latency phase (default 5)")
    private static let workers = Option<Int>.integer("workers", "N", .count(1...64), "worker processes (default 2)")
    private static let concurrency = Option<Int>.integer(
        "concurrency", "N", .count(1...1024), "jobs in flight per worker process (default 32)"
    )
    private static let agent = Option<BenchAgent>.choice(
        "agent",
        "echo (default), or echo-stream: answers streamed a word at a time and edited in place; measures time "
            + "to first and to final text at --rate (default 20) instead of throughput")

    private static let attachments = Flag(
        "attachments",
        "measure turns per second with a 200 KB photo in every message beside the same messages without one "
            + "(Discord messages both times; the files fetched from the fake provider and kept)")
    /// The photo each message carries under `--attachments`.
    static let photoBytes = 200 * 1024

    static let options = [
        Self.events.spec, Self.rate.spec, Self.seconds.spec, Self.workers.spec, Self.concurrency.spec,
        Self.agent.spec, Self.attachments.spec, BenchDirectory.option.spec,
    ]
    static let examples = [
        "switchboard bench pipeline", "switchboard bench pipeline --workers 1 --rate 100",
        "switchboard bench pipeline --events 50000 --durability normal",
        "switchboard bench pipeline --agent echo-stream --rate 20 --seconds 10",
        "switchboard bench pipeline --attachments --events 5000",
    ]

    let events: Int
    let rate: Int
    let seconds: Int
    let workers: Int
    let concurrency: Int
    let agent: BenchAgent
    let directory: String?
    let withAttachments: Bool

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        events = try arguments.value(Self.events) ?? 20_000
        agent = try arguments.value(Self.agent) ?? .echo
        rate = try arguments.value(Self.rate) ?? (agent == .echoStream ? 20 : 500)
        seconds = try arguments.value(Self.seconds) ?? 5
        workers = try arguments.value(Self.workers) ?? 2
        concurrency = try arguments.value(Self.concurrency) ?? 32
        directory = try arguments.value(BenchDirectory.option)
        withAttachments = try arguments.isSet(Self.attachments)
        if withAttachments && agent == .echoStream {
            throw CommandFailure.usage("--attachments measures the echo agent's throughput: leave out --agent")
        }
    }

    func run(_ context: CommandContext) async throws {
        try await BenchDirectory.withScratch(under: directory) { try await run(context, in: $0) }
    }

    private func run(_ context: CommandContext, in directory: URL) async throws {
        let fake = try await FakeProviderProcess()
        defer { fake.stop() }
        let http = HTTPClient(maxInFlight: 32)
        if agent == .echoStream {
            return try await runStreamed(context, in: directory, fake: fake)
        }
        if withAttachments {
            return try await runAttachments(context, in: directory, fake: fake)
        }

        Output.message("bench: the fake provider's own capacity...")
        let capacity = try await fake.capacity(http: http, requests: max(events, 5_000), concurrency: 32)
        try await fake.reset()

        let (benchmarkDatabase, store, children) = try await start(context, in: directory, fake: fake, agent: .echo)
        defer { children.forEach { $0.terminate() } }
        let engine = try benchmarkDatabase.engine()
        let intake = Intake(store: store)

        Output.message(
            "bench: \(ReportText.number(events)) events through intake, "
                + "\(ReportText.count(workers, "worker", "workers")), delivery...")
        // About four messages per conversation, arriving together: most are answered folded, in one reply.
        let stream = SyntheticDeliveries(count: events, redeliveryRate: 0, conversations: max(1, events / 4)).make()
        let started = ContinuousClock.now
        try await intake.receive(stream: stream, transactionSize: EnqueueCommand.batchTransactionSize) { _ in }
        try await Self.waitUntilAnswered(store, workers: children)
        let throughput = Double(events) / (ContinuousClock.now - started).seconds
        let answered = try await fake.answeredMessages().count
        guard answered == events else {
            throw CommandFailure(exitCode: .software, message: "the replies answered \(answered) of \(events) messages")
        }
        try await fake.reset()

        Output.message("bench: latency at \(rate) events/s for \(seconds) s...")
        let latencies = try await latency(intake: intake, store: store, workers: children, fake: fake, http: http)
        children.forEach { $0.terminate() }
        for child in children {
            _ = await child.waitForExit()
        }
        try await benchmarkDatabase.cleanUp()
        let p50 = latencies.isEmpty ? 0 : latencies[latencies.count / 2]
        let p99 = latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
        let text = [
            "Switchboard pipeline benchmark",
            MachineDescription.reportLine(engine: engine),
            setup(context, "pacing off (the fake provider has no rate limits)"),
            "",
            String(format: "fake provider alone:                %8.0f sends/s (32 concurrent clients)", capacity),
            String(
                format: "intake to answered, %7d events: %8.0f events/s (%.0f%% of the fake provider's capacity)",
                events, throughput, throughput / capacity * 100),
            String(
                format: "intake-to-reply latency at %d events/s (%d events): p50 %.1f ms, p99 %.1f ms",
                rate, latencies.count, p50, p99),
        ].joined(separator: "\n")
        context.output.result(
            text,
            json: [
                "machine": MachineDescription.current, "database": engine,
                "durability": context.global.durability.rawValue,
                "fake_provider_sends_per_s": capacity, "pipeline_events_per_s": throughput, "events": events,
                "latency_rate": rate, "latency_p50_ms": p50, "latency_p99_ms": p99, "workers": workers,
            ])
    }

    /// The report's line saying how the echo agent's run was set up, ending with `details`.
    private func setup(_ context: CommandContext, _ details: String) -> String {
        "durability: \(context.global.durability.rawValue); echo agent; "
            + "\(ReportText.count(workers, "worker process", "worker processes")) with "
            + "\(ReportText.count(concurrency, "job", "jobs")) in flight each; \(details)"
    }

    /// Waits until no live job is left in the chat queue: every message's turn and every reply's delivery
    /// done. A worker that exits meanwhile ends the benchmark. The check reads the state indexes only: the
    /// whole-table counts of `stats()`, asked every 10 ms, took a quarter of a core from the processes
    /// being measured.
    private static func waitUntilAnswered(_ store: JobStore, workers: [SwitchboardChild]) async throws {
        let deadline = ContinuousClock.now + .seconds(600)
        while try await store.hasLiveJobs(queues: [IntakeOptions().queue]) {
            if let ended = workers.lazy.compactMap(\.exitStatus).first {
                throw CommandFailure(exitCode: .software, message: "a benchmark worker exited with \(ended)")
            }
            guard ContinuousClock.now < deadline else {
                throw CommandFailure(
                    exitCode: .software, message: "the messages were not all answered within 10 minutes")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Feeds Telegram messages one per transaction at `rate`, each stamped with its intake time, and
    /// measures when the fake provider received the reply that answers each.
    private func latency(
        intake: Intake, store: JobStore, workers: [SwitchboardChild], fake: FakeProviderProcess, http: HTTPClient
    ) async throws -> [Double] {
        let count = rate * seconds
        let clock = ContinuousClock()
        let start = clock.now
        let interval = Duration.seconds(1) / rate
        for index in 0..<count {
            let deadline = start + interval * index
            if clock.now < deadline {
                try await clock.sleep(until: deadline, tolerance: .microseconds(100))
            }
            let stamp = QueueBenchmark.wallNanoseconds()
            let body =
                #"{"update_id":\#(index),"message":{"message_id":\#(index),"from":{"id":\#(index % 2000),"is_bot":false,"first_name":"U"},"chat":{"id":\#(index % 2000),"type":"private"},"date":1732262400,"text":"t=\#(stamp) latency probe"}}"#
            _ = try await intake.receive(Delivery(provider: .telegram, body: Data(body.utf8)))
        }
        try await Self.waitUntilAnswered(store, workers: workers)
        let answered = try await fake.answeredMessages()
        guard answered.count == count else {
            throw CommandFailure(
                exitCode: .software, message: "the replies answered \(answered.count) of \(count) messages")
        }
        return answered.compactMap { answer in
            answer.text.firstMatch(of: /t=(\d+)/).flatMap { Int64($0.1) }.map { Double(answer.at - $0) / 1e6 }
        }.sorted()
    }

    // MARK: Live replies

    /// A fresh database, its store, and the worker processes working it with `agent`, sending to `fake`.
    private func start(
        _ context: CommandContext, in directory: URL, fake: FakeProviderProcess, agent: BenchAgent,
        database name: String = "pipeline.db"
    ) async throws -> (BenchmarkDatabase, JobStore, [SwitchboardChild]) {
        let benchmarkDatabase = try await BenchDirectory.database(in: directory, context: context)
        let database = try await benchmarkDatabase.fresh(name)
        let config = directory.appendingPathComponent("switchboard.json").path
        guard case .object(var configuration) = try JSONParser.parse(Data(fake.configuration.utf8)) else {
            throw CommandFailure(exitCode: .software, message: "the fake provider's configuration is not an object")
        }
        // Files are kept in the benchmark's directory, on either database.
        let files = directory.appendingPathComponent("attachments").path
        configuration.set("attachments", .object(JSONObject(["directory": .string(files)])))
        try JSONValue.object(configuration).serialized.write(to: URL(fileURLWithPath: config))
        var options = StoreOptions()
        options.durability = context.global.durability
        let store = try await SwitchboardDatabase.open(database, options: options)
        // The database goes in the environment, not the arguments, which any user may list.
        var environment = ProcessInfo.processInfo.environment
        environment["SWITCHBOARD_DB"] = database.connectionText
        let children = try (0..<workers).map { _ in
            try SwitchboardChild(
                arguments: [
                    "work", "--durability", context.global.durability.rawValue, "--config", config,
                    "--concurrency", String(concurrency), "--agent", agent.rawValue,
                ], environment: environment, errorOutput: .discard)
        }
        return (benchmarkDatabase, store, children)
    }

    /// Runs the throughput phase twice on fresh databases, with Discord messages alone and then each with a
    /// photo the workers fetch from the fake provider and keep, and reports both.
    private func runAttachments(_ context: CommandContext, in directory: URL, fake: FakeProviderProcess)
        async throws
    {
        var figures: [Double] = []
        var engine = ""
        for withPhotos in [false, true] {
            let name = withPhotos ? "pipeline-photos.db" : "pipeline-text.db"
            let (benchmarkDatabase, store, children) = try await start(
                context, in: directory, fake: fake, agent: .echo, database: name)
            defer { children.forEach { $0.terminate() } }
            engine = try benchmarkDatabase.engine()
            var stream = SyntheticDeliveries(
                count: events, redeliveryRate: 0, conversations: max(1, events / 4), providers: [.discord])
            stream.firstID = withPhotos ? events : 0
            if withPhotos {
                stream.photo = (fake.baseURL, Self.photoBytes)
            }
            Output.message(
                "bench: \(ReportText.number(events)) Discord events \(withPhotos ? "with a photo each" : "of text"), "
                    + "\(ReportText.count(workers, "worker", "workers"))...")
            let started = ContinuousClock.now
            try await Intake(store: store).receive(
                stream: stream.make(), transactionSize: EnqueueCommand.batchTransactionSize
            ) { _ in }
            try await Self.waitUntilAnswered(store, workers: children)
            figures.append(Double(events) / (ContinuousClock.now - started).seconds)
            // The echo answers each message on a line, then a line per file: "[image image/png: N bytes]".
            let lines = try await fake.answeredMessages().map(\.text)
            let answered = lines.count { !$0.hasPrefix("[") }
            let photos = lines.count { $0.hasSuffix(": \(Self.photoBytes) bytes]") }
            guard answered == events, photos == (withPhotos ? events : 0) else {
                throw CommandFailure(
                    exitCode: .software,
                    message: "the replies answered \(answered) of \(events) messages, with \(photos) photos fetched")
            }
            try await fake.reset()
            children.forEach { $0.terminate() }
            for child in children {
                _ = await child.waitForExit()
            }
            try await benchmarkDatabase.cleanUp()
        }
        let kept =
            FileManager.default.subpaths(atPath: directory.appendingPathComponent("attachments").path)?
            .filter { $0.utf8.count == 67 }.count ?? 0
        guard kept == events else {
            throw CommandFailure(exitCode: .software, message: "the workers kept \(kept) of \(events) photos")
        }
        let text = [
            "Switchboard pipeline benchmark with attachments",
            MachineDescription.reportLine(engine: engine),
            setup(context, "Discord messages, about four a conversation; pacing off"),
            "",
            String(format: "text only, %7d events:              %8.0f events/s", events, figures[0]),
            String(
                format: "with a %d KB photo each, %7d events: %8.0f events/s (%.0f%% of text only; %.1f MB/s fetched)",
                Self.photoBytes / 1024, events, figures[1], figures[1] / figures[0] * 100,
                figures[1] * Double(Self.photoBytes) / 1e6),
        ].joined(separator: "\n")
        context.output.result(
            text,
            json: [
                "machine": MachineDescription.current, "database": engine,
                "durability": context.global.durability.rawValue, "events": events, "workers": workers,
                "text_events_per_s": figures[0], "photo_events_per_s": figures[1], "photo_bytes": Self.photoBytes,
            ])
    }

    /// Feeds Telegram messages, each in a chat of its own, at `rate` for `seconds` to workers answering
    /// with the streamed echo, and measures for each when its chat first showed text, and when it showed
    /// the final answer.
    private func runStreamed(_ context: CommandContext, in directory: URL, fake: FakeProviderProcess) async throws {
        let (benchmarkDatabase, store, children) = try await start(
            context, in: directory, fake: fake, agent: .echoStream)
        defer { children.forEach { $0.terminate() } }
        let engine = try benchmarkDatabase.engine()
        let intake = Intake(store: store)

        let count = rate * seconds
        Output.message("bench: \(count) streamed answers at \(rate) events/s...")
        let clock = ContinuousClock()
        let start = clock.now
        var intakeAt: [String: Int64] = [:]
        var finalText: [String: String] = [:]
        for index in 0..<count {
            let deadline = start + Duration.seconds(1) / rate * index
            if clock.now < deadline {
                try await clock.sleep(until: deadline, tolerance: .microseconds(100))
            }
            let chat = String(index + 1)
            let text = "live probe number \(index) streamed word by word"
            let body =
                #"{"update_id":\#(index),"message":{"message_id":\#(index),"from":{"id":\#(chat),"is_bot":false,"first_name":"U"},"chat":{"id":\#(chat),"type":"private"},"date":1732262400,"text":"\#(text)"}}"#
            intakeAt[chat] = QueueBenchmark.wallNanoseconds()
            finalText[chat] = "echo: " + text
            _ = try await intake.receive(Delivery(provider: .telegram, body: Data(body.utf8)))
        }
        try await Self.waitUntilAnswered(store, workers: children)
        children.forEach { $0.terminate() }
        for child in children {
            _ = await child.waitForExit()
        }
        var firstShown: [String: Int64] = [:]
        var finalShown: [String: Int64] = [:]
        var edits = 0
        guard case .array(let records) = try JSONParser.parse(try await fake.recordedRequests()) else { return }
        for case .object(let record) in records {
            guard case .string(let path)? = record["path"], case .integer(let at)? = record["at_ns"],
                case .string(let text)? = record["text"],
                let chat = record["body"]?.objectValue?["chat_id"]?.stringValue
            else { continue }
            if ProviderRoute.telegramEdit.matches(path) { edits += 1 }
            if firstShown[chat] == nil { firstShown[chat] = at }
            if finalShown[chat] == nil && text == finalText[chat] { finalShown[chat] = at }
        }
        try await benchmarkDatabase.cleanUp()
        guard finalShown.count == count else {
            throw CommandFailure(
                exitCode: .software, message: "the final text reached \(finalShown.count) of \(count) chats")
        }
        func milliseconds(_ shown: [String: Int64]) -> [Double] {
            shown.compactMap { chat, at in intakeAt[chat].map { Double(at - $0) / 1e6 } }.sorted()
        }
        let first = milliseconds(firstShown)
        let final = milliseconds(finalShown)
        let percentile = { (values: [Double], p: Int) in values[min(values.count - 1, values.count * p / 100)] }
        let text = [
            "Switchboard live-reply benchmark",
            MachineDescription.reportLine(engine: engine),
            "durability: \(context.global.durability.rawValue); echo-stream agent (a word every 150 ms, 8 words); "
                + "\(ReportText.count(workers, "worker process", "worker processes")) with "
                + "\(ReportText.count(concurrency, "job", "jobs")) in flight each; one edit a second per chat",
            "",
            String(
                format: "intake to first text shown, %d answers at %d/s: p50 %.0f ms, p99 %.0f ms", count, rate,
                percentile(first, 50), percentile(first, 99)),
            String(
                format: "intake to final text shown:                    p50 %.0f ms, p99 %.0f ms",
                percentile(final, 50), percentile(final, 99)),
            String(format: "edits: %.1f per answer", Double(edits) / Double(count)),
        ].joined(separator: "\n")
        context.output.result(
            text,
            json: [
                "machine": MachineDescription.current, "database": engine,
                "durability": context.global.durability.rawValue,
                "agent": agent.rawValue, "answers": count, "rate": rate, "workers": workers,
                "first_text_p50_ms": percentile(first, 50), "first_text_p99_ms": percentile(first, 99),
                "final_text_p50_ms": percentile(final, 50), "final_text_p99_ms": percentile(final, 99),
                "edits_per_answer": Double(edits) / Double(count),
            ])
    }
}
