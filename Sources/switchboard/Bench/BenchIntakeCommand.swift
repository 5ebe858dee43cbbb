import Enqueuer
import Foundation
import Harness
import Queue

/// `switchboard bench intake`: normalise + dedupe + enqueue of a mixed provider stream, beside plain
/// batched enqueue measured in the same run.
struct BenchIntakeCommand: Command {
    static let name = "bench intake"
    static let summary = "Measure intake of a mixed provider stream, beside batched enqueue"
    private static let events = Option<Int>.integer(
        "events", "N", .count(1_000...10_000_000),
        "events in the batched phase (default 100000); a tenth of that one per transaction"
    )

    static let options = [Self.events.spec, BenchDirectory.option.spec]
    static let examples = ["switchboard bench intake", "switchboard bench intake --events 200000 --durability normal"]

    static let redeliveryRate = 0.10

    let events: Int
    let directory: String?

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        events = try arguments.value(Self.events) ?? 100_000
        directory = try arguments.value(BenchDirectory.option)
    }

    func run(_ context: CommandContext) async throws {
        try await BenchDirectory.withScratch(under: directory) { try await run(context, in: $0) }
    }

    private func run(_ context: CommandContext, in directory: URL) async throws {
        let durability = context.global.durability
        let queue = QueueBenchmark(
            jobs: events, singles: events / 10, processes: 1, concurrency: 1, latencyRate: 1, latencySeconds: 1,
            durability: durability, database: try await BenchDirectory.database(in: directory, context: context)
        )
        let singles = events / 10
        let engine = try queue.database.engine()

        Output.message("bench: batched enqueue of \(events) jobs...")
        let enqueueBatched = try await queue.measureBatchedEnqueue(database: "enqueue.db")

        Output.message(
            "bench: building \(events) deliveries from 7 providers, \(Int(Self.redeliveryRate * 100))% redelivered...")
        let stream = SyntheticDeliveries(count: events, redeliveryRate: Self.redeliveryRate).make()
        let bytes = stream.reduce(0) { $0 + $1.body.count }

        Output.message("bench: normalising only, no database...")
        let normaliseOnly = try await normaliseRate(stream, queue: queue)

        Output.message("bench: writing pre-normalised jobs only...")
        let writeOnly = try await writeRate(stream, queue: queue)

        Output.message("bench: intake, one event per transaction...")
        let single = try await intake(stream.prefix(singles), database: "intake-single.db", batch: 1, queue: queue)
        Output.message("bench: intake, batched...")
        let batched = try await intake(
            stream[...], database: "intake-batched.db", batch: EnqueueCommand.batchTransactionSize, queue: queue)
        try await queue.database.cleanUp()

        let ratio = batched.rate / enqueueBatched
        let intakeBatch = ReportText.number(min(EnqueueCommand.batchTransactionSize, events))
        let text = [
            "Switchboard intake benchmark",
            MachineDescription.reportLine(engine: engine),
            "durability: \(durability.rawValue); \(ReportText.number(events)) deliveries (\(bytes / events) bytes "
                + "on average) from \(Provider.allCases.count) providers, \(Int(Self.redeliveryRate * 100))% redelivered",
            "",
            TextTable(
                header: ["", "events/s", "outcome"],
                rows: [
                    [
                        "intake, one event per transaction (\(ReportText.number(singles)) events)", rate(single.rate),
                        single.summary,
                    ],
                    ["intake, batched (\(intakeBatch)/tx)", rate(batched.rate), batched.summary],
                    [
                        "enqueue, batched (\(ReportText.number(queue.enqueueBatch))/tx), same run",
                        rate(enqueueBatched), "plain jobs",
                    ],
                    ["normalise and build jobs only (no database)", rate(normaliseOnly), "CPU half of intake"],
                    ["write pre-normalised jobs only (\(intakeBatch)/tx)", rate(writeOnly), "database half"],
                ]
            ).rendered,
            "",
            String(format: "batched intake is %.0f%% of batched enqueue", ratio * 100),
        ].joined(separator: "\n")
        context.output.result(
            text,
            json: [
                "machine": MachineDescription.current, "database": engine, "durability": durability.rawValue,
                "events": events,
                "intake_single_per_s": single.rate, "intake_batched_per_s": batched.rate,
                "enqueue_batched_per_s": enqueueBatched, "intake_to_enqueue_ratio": ratio,
                "normalise_only_per_s": normaliseOnly, "write_only_per_s": writeOnly,
                "enqueued": batched.enqueued, "duplicates": batched.duplicates,
            ]
        )
    }

    private struct IntakeFigures {
        let rate: Double
        let enqueued: Int
        let duplicates: Int

        var summary: String { "\(enqueued) enqueued, \(duplicates) duplicates" }
    }

    private func intake(_ stream: ArraySlice<Delivery>, database: String, batch: Int, queue: QueueBenchmark)
        async throws
        -> IntakeFigures
    {
        let intake = Intake(store: try await queue.freshStore(database))
        var enqueued = 0
        var duplicates = 0
        let started = ContinuousClock.now
        try await intake.receive(stream: Array(stream), transactionSize: batch) { results in
            for result in results {
                switch result.status {
                case .enqueued: enqueued += 1
                case .duplicate: duplicates += 1
                case .ignored, .rejected:
                    throw CommandFailure(
                        exitCode: .software, message: "benchmark delivery was \(result.status): \(result.detail ?? "")")
                }
            }
        }
        let seconds = (ContinuousClock.now - started).seconds
        return IntakeFigures(rate: Double(stream.count) / seconds, enqueued: enqueued, duplicates: duplicates)
    }

    /// How fast deliveries are normalised and turned into jobs, with no database work.
    private func normaliseRate(_ stream: [Delivery], queue: QueueBenchmark) async throws -> Double {
        let intake = Intake(store: try await queue.freshStore("normalise-only.db"))
        let started = ContinuousClock.now
        for start in stride(from: 0, to: stream.count, by: EnqueueCommand.batchTransactionSize) {
            _ = try intake.prepare(
                Array(stream[start..<min(start + EnqueueCommand.batchTransactionSize, stream.count)]))
        }
        return Double(stream.count) / (ContinuousClock.now - started).seconds
    }

    /// How fast the jobs of normalised deliveries are written, with the normalising done beforehand.
    private func writeRate(_ stream: [Delivery], queue: QueueBenchmark) async throws -> Double {
        let store = try await queue.freshStore("write-only.db")
        let intake = Intake(store: store)
        let chunks = try stride(from: 0, to: stream.count, by: EnqueueCommand.batchTransactionSize).map {
            try intake.prepare(Array(stream[$0..<min($0 + EnqueueCommand.batchTransactionSize, stream.count)])).jobs
        }
        let started = ContinuousClock.now
        for jobs in chunks {
            try await store.enqueue(jobs)
        }
        return Double(stream.count) / (ContinuousClock.now - started).seconds
    }

    private func rate(_ value: Double) -> String {
        value.formatted(.number.precision(.fractionLength(0)))
    }
}
