import Foundation
import Harness
import Queue

/// Prints a benchmark's figures, each beside the raw-database figure it should be compared with.
struct BenchReport {
    let benchmark: QueueBenchmark
    let figures: QueueBenchmarkFigures
    /// The database measured, with its version (`BenchmarkDatabase.engine`).
    let engine: String

    func print(to output: Output) {
        let base = figures.baseline
        let latency = figures.latencyMilliseconds
        let p50 = percentile(latency, 0.50)
        let p99 = percentile(latency, 0.99)
        let shares = figures.shares.map { String(format: "%.0f%%", $0 * 100) }.joined(separator: " / ")
        let rows: [[String]] = [
            [
                "enqueue, one job per call", rate(figures.enqueueSingle),
                ratio(figures.enqueueSingle, base.singleInsertsPerSecond, "single-row committed INSERT"),
            ],
            [
                "enqueue, batched (\(ReportText.number(benchmark.enqueueBatch))/tx)", rate(figures.enqueueBatched),
                ratio(
                    figures.enqueueBatched, base.batchedInsertsPerSecond,
                    "best batched INSERT, \(ReportText.number(base.bestBatchSize))/tx"),
            ],
            [
                "claim+complete, 1 process", rate(figures.claimCompleteOne),
                ratio(figures.claimCompleteOne, base.naiveClaimAckPerSecond, "naive claim+ack loop"),
            ],
            [
                "claim+complete, \(ReportText.count(benchmark.processes, "process", "processes"))",
                rate(figures.claimCompleteMany),
                (base.naiveClaimAckConcurrent.map {
                    ratio(
                        figures.claimCompleteMany, $0.perSecond,
                        "naive claim+ack loop, \(ReportText.count($0.clients, "client", "clients"))")
                } ?? ratio(figures.claimCompleteMany, base.naiveClaimAckPerSecond, "naive claim+ack loop"))
                    + "; shares \(shares)",
            ],
        ]
        var lines = [
            "Switchboard queue benchmark",
            MachineDescription.reportLine(engine: engine),
            "durability: \(benchmark.durability.rawValue); "
                + "\(ReportText.count(benchmark.jobs, "job", "jobs")) per batched phase, "
                + "\(ReportText.number(benchmark.singles)) per one-per-call phase; "
                + "\(ReportText.count(benchmark.concurrency, "job", "jobs")) in flight per worker",
            "",
            TextTable(header: ["", "jobs/s", "vs \(base.name) on this machine"], rows: rows).rendered,
            "",
            String(
                format: "enqueue-to-claim latency at %d jobs/s (%d jobs): p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                benchmark.latencyRate, latency.count, p50, p99, latency.last ?? 0
            ),
        ]
        if let handOver = figures.handOver {
            lines.append(
                "lock hand-over for \(QueueBenchmark.handOverSeconds) s, one process committing "
                    + "\(ReportText.number(QueueBenchmark.handOverBulkBatch)) jobs per transaction beside "
                    + ReportText.count(benchmark.processes - 1, "process", "processes")
                    + " committing one job per transaction: transactions "
                    + handOver.commits.map { rate(Double($0)) }.joined(separator: " / ")
                    + ", longest wait for the lock "
                    + handOver.longestWaitMilliseconds.map { String(format: "%.1f ms", $0) }.joined(separator: " / "))
        }
        lines.append(
            "\(base.name): \(rate(base.singleInsertsPerSecond)) single-row commits/s, "
                + "\(rate(base.batchedInsertsPerSecond)) batched inserts/s, "
                + "\(rate(base.naiveClaimAckPerSecond)) naive claim+ack/s"
                + (base.naiveClaimAckConcurrent.map {
                    " (\(rate($0.perSecond))/s from \(ReportText.count($0.clients, "client", "clients")))"
                } ?? ""))
        if let roundTrip = figures.threadRoundTrip {
            lines.append(
                String(
                    format: "a store call's round trip from async code to the database's thread and back, nothing "
                        + "run there: %.1f µs (enqueue, one job per call: %.1f µs)",
                    roundTrip.seconds * 1_000_000, 1_000_000 / figures.enqueueSingle))
        }
        let text = lines.joined(separator: "\n")
        output.result(
            text,
            json: [
                "machine": MachineDescription.current,
                "database": engine,
                "durability": benchmark.durability.rawValue,
                "jobs": benchmark.jobs,
                "enqueue_batch": benchmark.enqueueBatch,
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
                "hand_over_commits": (figures.handOver?.commits).json,
                "hand_over_longest_wait_ms": (figures.handOver?.longestWaitMilliseconds).json,
                "baseline_single_inserts_per_s": base.singleInsertsPerSecond,
                "baseline_batched_inserts_per_s": base.batchedInsertsPerSecond,
                "baseline_naive_claim_ack_per_s": base.naiveClaimAckPerSecond,
                "baseline_naive_claim_ack_concurrent_per_s": (base.naiveClaimAckConcurrent?.perSecond).json,
                "thread_round_trip_us": figures.threadRoundTrip.map { $0.seconds * 1_000_000 }.json,
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
