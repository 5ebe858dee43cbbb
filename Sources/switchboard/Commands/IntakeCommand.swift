import Enqueuer
import Foundation
import Queue

/// `switchboard intake`: what a webhook receiver calls with a provider's payload.
struct IntakeCommand: Command {
    static let name = "intake"
    static let summary = "Normalise provider payloads and enqueue them as chat jobs, deduplicated"
    private static let provider = Option<Provider>.choice("provider", "whose payload it is").required
    private static let file = Option<String>.text("file", "F", "read the payload from F (default: stdin)")
    private static let batch = Flag("batch", "one payload per line (JSON lines), written in large transactions")
    static let options = [Self.provider.spec, Self.file.spec, Self.batch.spec] + IntakeFlags.specs
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
    let intakeFlags: IntakeFlags

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        provider = try arguments.required(Self.provider)
        file = try arguments.value(Self.file)
        batch = try arguments.isSet(Self.batch)
        intakeFlags = try IntakeFlags(arguments)
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
        let bodies =
            batch
            ? input.split(separator: UInt8(ascii: "\n")).filter {
                !$0.allSatisfy { $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }
            }
            : [input[...]]
        let intake = Intake(store: try await context.openStore(.create), options: intakeFlags.options())
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
