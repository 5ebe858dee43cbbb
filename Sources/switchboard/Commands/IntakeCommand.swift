import Enqueuer
import Foundation
import Queue

/// `switchboard intake`: what a webhook receiver calls with a provider's payload.
struct IntakeCommand: Command {
    static let name = "intake"
    static let summary = "Normalise provider payloads and enqueue them as chat jobs, deduplicated"
    private static let provider = Option<Provider>.choice("provider", "whose payload it is").required
    private static let file = Option<String>.text("file", "F", "read the payload from F (default: stdin)")
    private static let batch = Flag(
        "batch", "one payload per line (JSON lines), all checked first, written in large transactions")
    static let options = [Self.provider.spec, Self.file.spec, Self.batch.spec] + IntakeFlags.specs
    static let examples = [
        "switchboard intake --provider telegram --file update.json",
        "switchboard intake --provider slack --batch < events.jsonl",
        "",
        #"Prints one line per payload: {"status":"enqueued|duplicate|ignored|rejected","job_id":...,"dedupe_key":...}"#,
        "Exits 65 if the payload is rejected. With --batch, as with enqueue --batch, every line is checked first:",
        "if any is rejected, each rejected line is named by its number, nothing is written, and it exits 65.",
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
        let intake = Intake(store: try await context.openStore(.create), options: intakeFlags.options())
        let printResults = { (results: [IntakeResult]) in
            Output.writeLine(results.map { Output.jsonLine($0.fields) }.joined(separator: "\n"), to: .standardOutput)
        }
        guard batch else {
            let result = try await intake.receive(Delivery(provider: provider, body: input))
            printResults([result])
            if result.status == .rejected {
                throw CommandFailure(exitCode: .dataError, message: "the payload was rejected: \(result.detail ?? "")")
            }
            return
        }
        // Each chunk's lines are printed once its transaction has committed.
        try await Self.receiveBatch(
            BatchLines.split(input).map { (number: $0.number, delivery: Delivery(provider: provider, body: $0.line)) },
            into: intake, committed: printResults)
    }

    /// `intake --batch`: normalises every line first (on every core), and writes them, in transactions
    /// of `EnqueueCommand.batchTransactionSize`, only when none was rejected; `committed` gets each
    /// transaction's results once it has committed. `bench serve` measures this same path.
    /// - Throws: the refusal naming every rejected line (`BatchLines`), with nothing written.
    static func receiveBatch(
        _ lines: [(number: Int, delivery: Delivery)], into intake: Intake, committed: ([IntakeResult]) -> Void
    ) async throws {
        let size = EnqueueCommand.batchTransactionSize
        let chunks = try await withThrowingTaskGroup(of: (Int, Intake.Prepared).self) { group in
            for start in stride(from: 0, to: lines.count, by: size) {
                let deliveries = lines[start..<min(start + size, lines.count)].map(\.delivery)
                group.addTask { (start, try intake.prepare(deliveries)) }
            }
            return try await group.reduce(into: [(Int, Intake.Prepared)]()) { $0.append($1) }.sorted { $0.0 < $1.0 }
        }
        let problems = chunks.flatMap { start, prepared in
            prepared.results.enumerated().compactMap { index, result in
                result.status == .rejected ? "line \(lines[start + index].number): \(result.detail ?? "")" : nil
            }
        }
        guard problems.isEmpty else { throw BatchLines.refusal(problems, code: "rejected") }
        for (_, prepared) in chunks {
            committed(try await intake.write([prepared])[0])
        }
    }
}
