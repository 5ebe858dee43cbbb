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

/// Prints a benchmark's figures, each beside the raw-SQLite figure it should be compared with.
struct BenchReport {
    let benchmark: QueueBenchmark
    let figures: QueueBenchmarkFigures

    func print(to output: Output) {
        let base = figures.baseline
        let latency = figures.latencyMilliseconds
        let p50 = percentile(latency, 0.50)
        let p99 = percentile(latency, 0.99)
        let shares = figures.shares.map { String(format: "%.0f%%", $0 * 100) }.joined(separator: " / ")
        let rows: [[String]] = [
            ["enqueue, one job per call", rate(figures.enqueueSingle),
             ratio(figures.enqueueSingle, base.singleInsertsPerSecond, "single-row committed INSERT")],
            ["enqueue, batched (\(QueueBenchmark.enqueueBatchSize)/tx)", rate(figures.enqueueBatched),
             ratio(figures.enqueueBatched, base.batchedInsertsPerSecond, "best batched INSERT, \(base.bestBatchSize)/tx")],
            ["claim+complete, 1 process", rate(figures.claimCompleteOne),
             ratio(figures.claimCompleteOne, base.naiveClaimAckPerSecond, "naive claim+ack loop")],
            ["claim+complete, \(benchmark.processes) processes", rate(figures.claimCompleteMany),
             ratio(figures.claimCompleteMany, base.naiveClaimAckPerSecond, "naive claim+ack loop")
                + "; shares \(shares)"],
        ]
        let text = [
            "Switchboard queue benchmark",
            "machine: \(MachineDescription.current); SQLite \(String(cString: sqlite3_libversion()))",
            "durability: \(benchmark.durability.rawValue); \(benchmark.jobs) jobs per batched phase, "
                + "\(benchmark.singles) per one-per-call phase; \(benchmark.concurrency) jobs in flight per worker",
            "",
            TextTable(header: ["", "jobs/s", "vs raw SQLite on this machine"], rows: rows).rendered,
            "",
            String(
                format: "enqueue-to-claim latency at %d jobs/s (%d jobs): p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                benchmark.latencyRate, latency.count, p50, p99, latency.last ?? 0
            ),
            "lock hand-over for \(QueueBenchmark.handOverSeconds) s, one process committing "
                + "\(QueueBenchmark.handOverBulkBatch) jobs per transaction, \(benchmark.processes - 1) one per "
                + "transaction: transactions "
                + figures.handOver.commits.map { rate(Double($0)) }.joined(separator: " / ")
                + ", longest wait for the lock "
                + figures.handOver.longestWaitMilliseconds.map { String(format: "%.1f ms", $0) }.joined(separator: " / "),
            "raw SQLite: \(rate(base.singleInsertsPerSecond)) single-row commits/s, "
                + "\(rate(base.batchedInsertsPerSecond)) batched inserts/s, "
                + "\(rate(base.naiveClaimAckPerSecond)) naive claim+ack/s",
        ].joined(separator: "\n")
        output.result(
            text,
            json: [
                "machine": MachineDescription.current,
                "durability": benchmark.durability.rawValue,
                "jobs": benchmark.jobs,
                "enqueue_single_per_s": figures.enqueueSingle,
                "enqueue_batched_per_s": figures.enqueueBatched,
                "claim_complete_1_process_per_s": figures.claimCompleteOne,
                "claim_complete_many_processes_per_s": figures.claimCompleteMany,
                "processes": benchmark.processes,
                "process_shares": figures.shares,
                "latency_rate": benchmark.latencyRate,
                "latency_p50_ms": p50,
                "latency_p99_ms": p99,
                "latency_max_ms": latency.last ?? 0,
                "hand_over_commits": figures.handOver.commits,
                "hand_over_longest_wait_ms": figures.handOver.longestWaitMilliseconds,
                "baseline_single_inserts_per_s": base.singleInsertsPerSecond,
                "baseline_batched_inserts_per_s": base.batchedInsertsPerSecond,
                "baseline_naive_claim_ack_per_s": base.naiveClaimAckPerSecond,
            ]
        )
    }

    private func rate(_ value: Double) -> String {
        value.formatted(.number.precision(.fractionLength(0)))
    }

    private func ratio(_ value: Double, _ baseline: Double, _ name: String) -> String {
        String(format: "%.2fx ", value / baseline) + "\(name) (\(rate(baseline))/s)"
    }

    private func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
    }
}

/// The CPU model, core count and kernel, for quoting figures.
enum MachineDescription {
    static var current: String {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuInfo.split(separator: "\n")
            .first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        var system = utsname()
        uname(&system)
        let release = withUnsafeBytes(of: &system.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "\(model), \(ProcessInfo.processInfo.activeProcessorCount) cores, Linux \(release)"
    }
}
