import Foundation
import Harness
import JSON
import Queue
import Synchronization
import Workers

/// `switchboard bench worker`: one worker process of the benchmark. Not for operators.
///
/// It opens the store, prints `ready`, waits for `go` on stdin, then works with a handler that does
/// nothing (or records enqueue-to-claim latency) and prints one JSON line with what it did.
struct BenchWorkerCommand: Command {
    static let name = "bench worker"
    static let summary = "One worker process of `bench queue` (internal)"
    private static let concurrency = Option<Int>.integer(
        "concurrency", "N", .count(1...4096), "jobs in flight (default 64)")
    private static let expect = Option<Int>.integer(
        "expect", "N", .count(1...100_000_000), "record enqueue-to-claim latency and stop after N jobs"
    )
    private static let contend = Option<Duration>.duration(
        "contend", "SECONDS", .seconds(0.001...3_600), "enqueue jobs back to back for this long, timing each commit"
    )
    private static let batch = Option<Int>.integer(
        "batch", "N", .count(1...100_000), "with --contend: jobs per transaction (default 1)")
    private static let drain = Flag("drain", "stop when the queue is empty")

    static let options = [Self.concurrency.spec, Self.expect.spec, Self.contend.spec, Self.batch.spec, Self.drain.spec]
    static let examples = ["(started by switchboard bench queue)"]
    static let listed = false

    let concurrency: Int
    let expected: Int?
    let contend: Duration?
    let batch: Int

    init(_ arguments: Arguments) throws {
        batch = try arguments.value(Self.batch) ?? 1
        concurrency = try arguments.value(Self.concurrency) ?? 64
        expected = try arguments.value(Self.expect)
        contend = try arguments.value(Self.contend)
        let drain = try arguments.isSet(Self.drain)
        if expected == nil && contend == nil && !drain {
            throw CommandFailure.usage("give --drain, --expect N or --contend SECONDS")
        }
    }

    func run(_ context: CommandContext) async throws {
        let store = try await context.openStore(.existing)
        if let contend {
            return try await runContending(store, for: contend, batch: batch)
        }
        let latencies = LatencyRecorder()
        let handler: any JobHandler = expected == nil ? NoopHandler() : latencies
        let pool = WorkerPool(
            store: store,
            handler: handler,
            options: WorkerOptions(queues: [QueueBenchmark.queue], concurrency: concurrency, drain: expected == nil)
        )
        if let expected {
            latencies.onCount(expected) { pool.requestStop() }
        }
        Output.writeLine("ready", to: .standardOutput)
        guard await readGo() else { return }
        let started = ContinuousClock.now
        let report = try await pool.run()
        let seconds = (ContinuousClock.now - started).seconds
        var result: JSONObject = ["processed": report.completed, "seconds": seconds]
        if expected != nil {
            result.set("latencies_ms", latencies.millisecondsSorted)
        }
        Output.writeLine(Output.jsonLine(result), to: .standardOutput)
    }

    /// Commits `batch` enqueues per transaction as fast as it can, and reports how many transactions and
    /// the longest wait between two of its commits: how long the other processes kept it from the lock.
    private func runContending(_ store: JobStore, for duration: Duration, batch: Int) async throws {
        let jobs = Array(repeating: NewJob(queue: "contend", kind: "noop"), count: batch)
        Output.writeLine("ready", to: .standardOutput)
        guard await readGo() else { return }
        let clock = ContinuousClock()
        let end = clock.now + duration
        var last = clock.now
        var longestWait = Duration.zero
        var commits = 0
        while last < end {
            try await store.enqueue(jobs)
            let now = clock.now
            longestWait = max(longestWait, now - last)
            last = now
            commits += 1
        }
        Output.writeLine(
            Output.jsonLine(["commits": commits, "longest_wait_ms": longestWait.seconds * 1000]), to: .standardOutput
        )
    }

    private func readGo() async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: readLine() == "go")
            }
        }
    }
}
