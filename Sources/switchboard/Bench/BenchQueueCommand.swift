import Foundation
import Harness
import Queue

/// `switchboard bench queue`: the queue's throughput and latency on this machine, beside the raw database.
struct BenchQueueCommand: Command {
    static let name = "bench queue"
    static let summary = "Measure enqueue, claim+complete and latency, beside a raw SQLite or libpq baseline"
    private static let jobs = Option<Int>.integer(
        "jobs", "N", .count(1_000...100_000_000), "jobs per throughput phase (default 100000)")
    private static let processes = Option<Int>.integer(
        "processes", "P", .count(1...64), "worker processes in the multi-process phase (default 2)"
    )
    private static let concurrency = Option<Int>.integer(
        "concurrency", "N", .count(1...4096), "jobs in flight per worker process (default 128)"
    )
    private static let latencyRate = Option<Int>.integer(
        "latency-rate", "N", .count(1...100_000), "jobs per second in the latency phase (default 1000)"
    )
    private static let latencySeconds = Option<Int>.integer(
        "latency-seconds", "S", .count(1...3_600), "length of the latency phase (default 5)"
    )

    static let options = [
        Self.jobs.spec, Self.processes.spec, Self.concurrency.spec, Self.latencyRate.spec, Self.latencySeconds.spec,
        BenchDirectory.option.spec,
    ]
    static let examples = [
        "switchboard bench queue",
        "switchboard bench queue --jobs 200000 --processes 4 --durability normal",
        "switchboard bench queue --db postgres://switchboard@localhost/bench",
    ]

    let jobs: Int
    let processes: Int
    let concurrency: Int
    let latencyRate: Int
    let latencySeconds: Int
    let directory: String?

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        jobs = try arguments.value(Self.jobs) ?? 100_000
        processes = try arguments.value(Self.processes) ?? 2
        concurrency = try arguments.value(Self.concurrency) ?? 128
        latencyRate = try arguments.value(Self.latencyRate) ?? 1_000
        latencySeconds = try arguments.value(Self.latencySeconds) ?? 5
        directory = try arguments.value(BenchDirectory.option)
    }

    func run(_ context: CommandContext) async throws {
        try await BenchDirectory.withScratch(under: directory) { try await run(context, in: $0) }
    }

    private func run(_ context: CommandContext, in directory: URL) async throws {
        let benchmark = QueueBenchmark(
            jobs: jobs, singles: max(1_000, jobs / 10), processes: processes, concurrency: concurrency,
            latencyRate: latencyRate, latencySeconds: latencySeconds, durability: context.global.durability,
            database: try await BenchDirectory.database(in: directory, context: context)
        )
        let engine = try benchmark.database.engine()
        let figures = try await benchmark.run { Output.message("bench: \($0)...") }
        BenchReport(benchmark: benchmark, figures: figures, engine: engine).print(to: context.output)
    }
}
