import Enqueuer
import Foundation
import Queue

/// `switchboard intake`: what a webhook receiver calls with a provider's payload.
struct IntakeCommand: Command {
    static let name = "intake"
    static let summary = "Normalise provider payloads and enqueue them as chat jobs, deduplicated"
    static let synopsis = [
        "intake --provider \(Provider.allCases.map(\.rawValue).joined(separator: "|")) [--file F] [--batch] "
            + "[--queue Q] [--dedupe-ttl SECONDS] [--history-keep N]",
    ]
    static let options: [OptionSpec] = [
        .value("provider", "P", "whose payload it is: " + Provider.allCases.map(\.rawValue).joined(separator: ", ")),
        .value("file", "F", "read the payload from F (default: stdin)"),
        .flag("batch", "one payload per line (JSON lines), written in large transactions"),
        .value("queue", "Q", "the queue chat jobs go to (default chat)"),
        .value("dedupe-ttl", "SECONDS", "how long a message's dedupe key holds (default 86400)"),
        .value("history-keep", "N", "messages kept per conversation, older ones pruned (default 200)"),
    ]
    static let examples = [
        "switchboard intake --provider telegram --file update.json",
        "switchboard intake --provider slack --batch < events.jsonl",
        "",
        #"Prints one line per payload: {"status":"enqueued|duplicate|ignored|rejected","job_id":...,"dedupe_key":...}"#,
        "Exits 65 if any payload was rejected; the others are still recorded.",
    ]

    let provider: Provider
    let file: String?
    let batch: Bool
    let options: IntakeOptions
    let historyKept: Int?

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        provider = try providerOption(arguments)
        file = arguments.string("file")
        batch = arguments.flag("batch")
        var options = IntakeOptions()
        options.queue = arguments.string("queue") ?? options.queue
        options.dedupeTimeToLive = try arguments.duration("dedupe-ttl", Bounds.dedupeTTL) ?? options.dedupeTimeToLive
        do {
            try options.validate()
        } catch let error as QueueError {
            throw CommandFailure.usage("--\(error.message.replacing("_", with: "-"))")
        }
        self.options = options
        historyKept = try arguments.integer("history-keep", Bounds.historyKept)
    }

    func run(_ context: CommandContext) async throws {
        let input: Data
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandFailure(exitCode: .ioError, message: "cannot read --file \(file)")
            }
            input = data
        } else {
            input = await StandardInput.readAll()
        }
        let bodies = batch
            ? input.split(separator: UInt8(ascii: "\n")).filter { !$0.allSatisfy { $0 == 0x20 || $0 == 0x0D || $0 == 0x09 } }
            : [input[...]]
        var options = self.options
        options.historyKept = historyKept ?? options.historyKept
        let intake = Intake(store: try await context.openStore(.create), options: options)
        var rejected = false
        // Each chunk's lines are printed once its transaction has committed.
        try await intake.receive(
            stream: bodies.map { Delivery(provider: provider, body: Data($0)) },
            transactionSize: EnqueueCommand.batchTransactionSize
        ) { results in
            rejected = rejected || results.contains { $0.status == .rejected }
            Output.writeLine(results.map { Output.jsonLine($0.fields) }.joined(separator: "\n"), to: .standardOutput)
        }
        if rejected {
            throw CommandFailure(exitCode: .dataError, message: "some payloads were rejected; see their lines")
        }
    }
}
