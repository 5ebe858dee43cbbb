import ChatStore
import Foundation
import JSON
import Queue

/// Measures the queue on this machine: enqueue, claim+complete with 1 and P worker processes,
/// enqueue-to-claim latency at a steady rate, and a raw-SQLite baseline, all in one run.
package struct QueueBenchmark {
    package static let queue = "bench"
    package static let enqueueBatchSize = 10_000

    package let jobs: Int
    package let singles: Int
    package let processes: Int
    package let concurrency: Int
    package let latencyRate: Int
    package let latencySeconds: Int
    package let durability: Durability
    package let database: BenchmarkDatabase

    package init(
        jobs: Int, singles: Int, processes: Int, concurrency: Int, latencyRate: Int, latencySeconds: Int,
        durability: Durability, database: BenchmarkDatabase
    ) {
        self.jobs = jobs
        self.singles = singles
        self.processes = processes
        self.concurrency = concurrency
        self.latencyRate = latencyRate
        self.latencySeconds = latencySeconds
        self.durability = durability
        self.database = database
    }

    package func run(progress: (String) -> Void) async throws -> QueueBenchmarkFigures {
        let baseline: BaselineFigures
        switch database {
        case .sqlite:
            progress("raw SQLite baseline")
            guard case .sqlite(let path) = database.location("baseline.db") else { preconditionFailure() }
            baseline = try await SQLiteBaseline.measure(
                path: path, durability: durability, singles: singles, batched: jobs)
        case .postgres(let url):
            progress("raw libpq baseline")
            baseline = try await PostgresBaseline.measure(
                url: url, durability: durability, singles: singles, batched: jobs, clients: processes)
        }

        progress("enqueue, one job per call")
        let single = try await freshStore("single.db")
        let enqueueSingle = try await Throughput.perSecond(singles) {
            for index in 0..<singles {
                try await single.enqueue(job(index))
            }
        }

        let roundTrip = try await threadRoundTrip(single, calls: 10 * singles)

        progress("enqueue, batched")
        let enqueueBatched = try await measureBatchedEnqueue(database: "one-process.db")

        progress("claim+complete, 1 worker process")
        let one = try await drain(phase: "one-process.db", processes: 1)

        progress("claim+complete, \(ReportText.count(processes, "worker process", "worker processes"))")
        try await fill(try await freshStore("many-processes.db"))
        let many = try await drain(phase: "many-processes.db", processes: processes)

        progress("enqueue-to-claim latency at \(latencyRate) jobs/s for \(latencySeconds) s")
        let latencies = try await latency()

        var handOver: LockHandOver?
        if case .sqlite = database {
            progress(
                "lock hand-over: one process committing \(ReportText.number(Self.handOverBulkBatch)) jobs per "
                    + "transaction beside \(ReportText.count(processes - 1, "process", "processes")) committing one job per "
                    + "transaction")
            handOver = try await contend()
        }
        try await database.cleanUp()

        return QueueBenchmarkFigures(
            enqueueSingle: enqueueSingle,
            enqueueBatched: enqueueBatched,
            claimCompleteOne: one.rate,
            claimCompleteMany: many.rate,
            shares: many.shares,
            latencyMilliseconds: latencies,
            handOver: handOver,
            threadRoundTrip: roundTrip,
            baseline: baseline
        )
    }

    /// How long a call from async code takes to reach the SQLite database's own thread and come back with
    /// nothing run there, the mean of `calls`: every store call pays it once on top of its SQL (the
    /// thread keeps `fsync` and lock waits off Swift's cooperative pool). Nil on PostgreSQL, whose
    /// calls take a pooled session first.
    private func threadRoundTrip(_ store: JobStore, calls: Int) async throws -> Duration? {
        guard let database = (store.storage as? SQLiteJobStorage)?.database else { return nil }
        let started = ContinuousClock.now
        for _ in 0..<calls {
            try await database.perform { _ in }
        }
        return (ContinuousClock.now - started) / calls
    }

    /// Jobs per transaction in the batched enqueue: `enqueueBatchSize`, or all of them when there are fewer.
    package var enqueueBatch: Int {
        min(Self.enqueueBatchSize, jobs)
    }

    /// Enqueues `jobs` jobs into a new database, `enqueueBatchSize` per transaction; returns jobs per second.
    package func measureBatchedEnqueue(database: String) async throws -> Double {
        let store = try await freshStore(database)
        return try await Throughput.perSecond(jobs) { try await fill(store) }
    }

    package func freshStore(_ name: String) async throws -> JobStore {
        var options = StoreOptions()
        options.durability = durability
        return try await SwitchboardDatabase.open(try await database.fresh(name), options: options)
    }

    private func job(_ index: Int) -> NewJob {
        NewJob(queue: Self.queue, kind: "noop", payload: Data(#"{"n":\#(index)}"#.utf8))
    }

    private func fill(_ store: JobStore) async throws {
        for start in stride(from: 0, to: jobs, by: Self.enqueueBatchSize) {
            try await store.enqueue((start..<min(start + Self.enqueueBatchSize, jobs)).map(job))
        }
    }

    /// Starts `processes` workers on a filled database at the same moment and waits for them to drain it.
    private func drain(phase: String, processes: Int) async throws -> (rate: Double, shares: [Double]) {
        let children = try (0..<processes).map { _ in
            try worker(phase, ["--drain"])
        }
        for child in children {
            _ = try await child.expectLine("ready")
        }
        let started = ContinuousClock.now
        children.forEach { $0.send("go") }
        var processed: [Int] = []
        for child in children {
            let report = try await child.expectLine("its result")
            processed.append(Int(try Self.field("processed", of: report)?.integerValue ?? 0))
            _ = await child.waitForExit()
        }
        let seconds = (ContinuousClock.now - started).seconds
        let total = processed.reduce(0, +)
        guard total == jobs else {
            throw HarnessFailure("workers completed \(total) of \(jobs) jobs")
        }
        return (Double(total) / seconds, processed.map { Double($0) / Double(total) })
    }

    /// Enqueues at a steady rate, one commit per job, while one worker records how long each waited.
    private func latency() async throws -> [Double] {
        let store = try await freshStore("latency.db")
        let count = latencyRate * latencySeconds
        let child = try worker("latency.db", ["--expect", String(count)])
        _ = try await child.expectLine("ready")
        child.send("go")
        let interval = Duration.seconds(1) / latencyRate
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0..<count {
            let deadline = start + interval * index
            if clock.now < deadline {
                try await clock.sleep(until: deadline, tolerance: .microseconds(50))
            }
            let stamp = StampedPayload(t: Self.wallNanoseconds()).payload
            try await store.enqueue(NewJob(queue: Self.queue, kind: "stamped", payload: stamp))
        }
        let report = try await child.expectLine("its result")
        _ = await child.waitForExit()
        return try Self.field("latencies_ms", of: report)?.arrayValue?.compactMap(\.numberValue) ?? []
    }

    /// Starts `processes` processes that commit back to back for `handOverSeconds`: the first in
    /// transactions of `handOverBulkBatch` jobs, the others one job per transaction. A lock that is not
    /// handed over fairly starves the small writers: the lock is free only for the moment between two
    /// of the bulk writer's transactions, and a waiter that sleeps longer and longer keeps missing it.
    private func contend() async throws -> LockHandOver {
        _ = try await freshStore("contend.db")
        let children = try (0..<processes).map { index in
            try worker(
                "contend.db",
                ["--contend", String(Self.handOverSeconds), "--batch", String(index == 0 ? Self.handOverBulkBatch : 1)]
            )
        }
        for child in children {
            _ = try await child.expectLine("ready")
        }
        children.forEach { $0.send("go") }
        var figures = LockHandOver(commits: [], longestWaitMilliseconds: [])
        for child in children {
            let report = try await child.expectLine("its result")
            figures.commits.append(Int(try Self.field("commits", of: report)?.integerValue ?? 0))
            figures.longestWaitMilliseconds.append(try Self.field("longest_wait_ms", of: report)?.numberValue ?? 0)
            _ = await child.waitForExit()
        }
        return figures
    }

    package static let handOverSeconds = 3
    package static let handOverBulkBatch = 2_000

    /// A `bench worker` process on the phase's database, which it is given in its environment: a URL's
    /// password stays out of the arguments any user may list.
    private func worker(_ phase: String, _ arguments: [String]) throws -> SwitchboardChild {
        var environment = ProcessInfo.processInfo.environment
        environment["SWITCHBOARD_DB"] = database.location(phase).connectionText
        return try SwitchboardChild(
            arguments: ["bench", "worker", "--durability", durability.rawValue, "--concurrency", String(concurrency)]
                + arguments,
            environment: environment)
    }

    /// A field of a worker's JSON report.
    private static func field(_ name: String, of line: String) throws -> JSONValue? {
        try JSONFields(root: JSONParser.parse(Data(line.utf8))).value(name)
    }

    /// Wall-clock nanoseconds, comparable between processes on one machine.
    package static func wallNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
