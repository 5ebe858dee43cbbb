import CSQLite
import Foundation
import Queue

/// `switchboard bench queue`: the queue's throughput and latency on this machine, beside raw SQLite.
struct BenchQueueCommand: Command {
    static let name = "bench queue"
    static let summary = "Measure enqueue, claim+complete and latency, beside a raw-SQLite baseline"
    static let synopsis = [
        "bench queue [--jobs N] [--processes P] [--concurrency N] [--latency-rate N] [--latency-seconds S] [--dir DIR]",
    ]
    static let options: [OptionSpec] = [
        .value("jobs", "N", "jobs per throughput phase (default 100000)"),
        .value("processes", "P", "worker processes in the multi-process phase (default 2)"),
        .value("concurrency", "N", "jobs in flight per worker process (default 128)"),
        .value("latency-rate", "N", "jobs per second in the latency phase (default 1000)"),
        .value("latency-seconds", "S", "length of the latency phase (default 5)"),
        .value("dir", "DIR", "where the benchmark's databases go (default: a new temporary directory)"),
    ]
    static let examples = [
        "switchboard bench queue",
        "switchboard bench queue --jobs 200000 --processes 4 --durability normal",
    ]

    let jobs: Int
    let processes: Int
    let concurrency: Int
    let latencyRate: Int
    let latencySeconds: Int
    let directory: String?

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        jobs = try arguments.integer("jobs", .count(1_000...100_000_000)) ?? 100_000
        processes = try arguments.integer("processes", .count(1...64)) ?? 2
        concurrency = try arguments.integer("concurrency", .count(1...4096)) ?? 128
        latencyRate = try arguments.integer("latency-rate", .count(1...100_000)) ?? 1_000
        latencySeconds = try arguments.integer("latency-seconds", .count(1...3_600)) ?? 5
        directory = arguments.string("dir")
    }

    func run(_ context: CommandContext) async throws {
        try await BenchDirectory.withScratch(under: directory) { try await run(context, in: $0) }
    }

    private func run(_ context: CommandContext, in directory: URL) async throws {
        let benchmark = QueueBenchmark(
            jobs: jobs, singles: max(1_000, jobs / 10), processes: processes, concurrency: concurrency,
            latencyRate: latencyRate, latencySeconds: latencySeconds, durability: context.global.durability,
            directory: directory
        )
        let figures = try await benchmark.run { Output.message("bench: \($0)...") }
        BenchReport(benchmark: benchmark, figures: figures).print(to: context.output)
    }
}
