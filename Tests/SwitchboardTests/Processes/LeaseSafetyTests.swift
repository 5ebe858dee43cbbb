import ChatStore
import Foundation
import Harness
import Queue
import Testing

/// Two attempts of one job never run at once, checked by the jobs themselves: each attempt takes its job's
/// lock file without waiting (`flock -n`), and one that finds it held (another attempt still running)
/// writes a line to `overlaps`. Real `switchboard work` processes, a database that cannot be reached (a
/// SQLite file whose write lock is held, a PostgreSQL server stopped), real cancels and redrives.
@Suite("A lease never runs twice", .timeLimit(.minutes(10)))
struct LeaseSafetyTests {
    /// The workers' lease, in seconds: short, so that twenty outages of twice the lease stay affordable.
    static let lease = 3

    /// A job's command: it notes its start, then holds its job's lock until the test creates `finish` in
    /// its directory. A job of kind `stubborn` ignores SIGTERM (and so does everything it starts), so only
    /// the SIGKILL a worker sends within its fence margin stops it.
    static func command(_ directory: TestDirectory) -> String {
        let folder = directory.url.path
        return """
            [ "$SWITCHBOARD_KIND" = stubborn ] && trap '' TERM
            echo "$SWITCHBOARD_JOB_ID $SWITCHBOARD_ATTEMPT" >> \(folder)/started
            flock -n -E 99 \(folder)/lock-$SWITCHBOARD_JOB_ID sh -c 'until [ -e \(folder)/finish ]; do sleep 0.2; done'
            status=$?
            [ $status = 99 ] && echo "$SWITCHBOARD_JOB_ID $SWITCHBOARD_ATTEMPT" >> \(folder)/overlaps
            exit $status
            """
    }

    /// The lines a file holds, none when it does not exist.
    static func lines(_ path: String) -> [Substring] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
    }

    /// The job id in `enqueue --json`'s line.
    static func jobID(_ output: String) -> Int64? {
        guard let range = output.range(of: #""id":"#) else { return nil }
        return Int64(output[range.upperBound...].prefix(while: \.isNumber))
    }

    /// One repetition: its own database, two jobs (one plain, one stubborn) and two draining workers.
    struct Repetition {
        let directory: TestDirectory
        let location: StoreLocation
        let jobs: [Int64]
        var workers: [SwitchboardChild] = []

        init(_ location: StoreLocation, in directory: TestDirectory) async throws {
            self.directory = directory
            self.location = location
            let store = try await SwitchboardDatabase.open(location)
            jobs = try await store.enqueue([NewJob(queue: "q", kind: "plain"), NewJob(queue: "q", kind: "stubborn")])
                .map(\.jobID)
        }

        /// Starts `count` workers taking up to `concurrency` jobs each.
        mutating func startWorkers(_ count: Int, concurrency: Int) throws {
            workers += try (0..<count).map { _ in
                try SwitchboardProcess.start(
                    [
                        "work", "--queue", "q", "--concurrency", String(concurrency), "--lease",
                        String(LeaseSafetyTests.lease), "--drain", "--exec", LeaseSafetyTests.command(directory),
                    ],
                    database: location.connectionText)
            }
        }

        /// Lets every attempt of its jobs end.
        func finishJobs() {
            _ = FileManager.default.createFile(atPath: directory.path("finish"), contents: nil)
        }

        var allStarted: Bool { LeaseSafetyTests.lines(directory.path("started")).count >= jobs.count }

        /// Waits for both workers to drain, and checks what the jobs recorded.
        func finish(_ name: String) async throws {
            for worker in workers {
                let result = await worker.finish()
                #expect(result.status == 0, "\(name): \(result.stderr)")
            }
            let overlaps = LeaseSafetyTests.lines(directory.path("overlaps"))
            #expect(overlaps.isEmpty, "\(name): attempts ran at once (job, attempt): \(overlaps)")
            let started = LeaseSafetyTests.lines(directory.path("started"))
            for job in jobs {
                let attempts = started.filter { $0.hasPrefix("\(job) ") }
                // Each first attempt was stopped by the outage and ran again: the race really was run.
                #expect(attempts.count >= 2, "\(name): job \(job) ran \(attempts)")
            }
            var options = StoreOptions()
            options.access = .readOnly
            let left = try await SwitchboardDatabase.open(location, options: options).stats().totals
            #expect(left.values.reduce(0, +) == 0, "\(name): every job completed; left \(left)")
        }
    }

    /// Twenty repetitions of: two long jobs running on two workers, one each, the database unreachable
    /// for twice the lease, and a third worker arriving to take whatever it can the moment the database
    /// is back, as the first two do; the jobs' first attempts would run on for twice the lease after
    /// that, had nothing stopped them. Five at a time, sharing each outage; one backend after the other,
    /// so that the fifteen workers at a time leave the rest of the suite room to run. (A worker with a free slot polls
    /// the database every millisecond: the first two have none, so the machine is not starved meanwhile.)
    @Test(
        "jobs running while the database is unreachable for twice the lease are stopped before another worker can run them (20 repetitions)",
        .serialized, arguments: TestBackend.all)
    func unreachableDatabase(backend: TestBackend) async throws {
        // A server of the test's own, stopped and started again. It does not sync to disk: a crash loses
        // nothing a test needs, and its recovery at the next start takes a moment, not seconds.
        let own = backend == .postgres ? try await TestPostgres.OwnServer(settings: "-c fsync=off") : nil
        let server = own?.server
        for batch in 0..<4 {
            var repetitions: [Repetition] = []
            for _ in 0..<5 {
                let directory = try TestDirectory()
                let location =
                    if let server { try await server.newDatabase() } else {
                        StoreLocation.sqlite(path: directory.databasePath)
                    }
                repetitions.append(try await Repetition(location, in: directory))
            }
            for index in repetitions.indices {
                try repetitions[index].startWorkers(2, concurrency: 1)
            }
            try await waitUntil("every job of batch \(batch) runs") { repetitions.allSatisfy(\.allStarted) }
            // Anywhere in the leases' renewal cycle (a third of the lease).
            try await Task.sleep(for: .milliseconds(Int.random(in: 0..<(Self.lease * 1_000 / 3))))
            let outage = Duration.seconds(2 * Self.lease)
            if let server {
                try await server.stop(immediately: true)
                try await Task.sleep(for: outage)
                try await server.start()
                for index in repetitions.indices {
                    try repetitions[index].startWorkers(1, concurrency: 2)
                }
            } else {
                let held = try repetitions.map { try WriterLock(databasePath: $0.directory.databasePath) }
                try await Task.sleep(for: outage)
                // The third worker queues for the write lock with the others.
                for index in repetitions.indices {
                    try repetitions[index].startWorkers(1, concurrency: 2)
                }
                held.forEach { $0.release() }
            }
            try await Task.sleep(for: outage)
            repetitions.forEach { $0.finishJobs() }
            for (index, repetition) in repetitions.enumerated() {
                try await repetition.finish("batch \(batch), repetition \(index)")
            }
        }
        withExtendedLifetime(own) {}
    }

    @Test(
        "a cancel reaches the worker running the job within a second, and the command's processes are gone",
        arguments: TestBackend.all)
    func cancelStopsTheCommand(backend: TestBackend) async throws {
        let directory = try TestDirectory()
        let database = try await backend.newDatabase(in: directory).connectionText
        let folder = directory.url.path
        let enqueued = try await SwitchboardProcess.run(
            ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}", "--json"], database: database)
        #expect(enqueued.status == 0, "\(enqueued.stderr)")
        let id = try #require(Self.jobID(enqueued.stdout))
        // The default lease, 30 s: its worker would otherwise hear of the cancel at its next heartbeat, 10 s on.
        let worker = try SwitchboardProcess.start(
            [
                "work", "--queue", "q", "--exec",
                "sleep 60 & echo $! > \(folder)/child; echo $$ > \(folder)/shell; wait",
            ],
            database: database)
        defer { worker.signal(SIGKILL) }
        try await waitUntil("the command runs") {
            !Self.lines(directory.path("child")).isEmpty && !Self.lines(directory.path("shell")).isEmpty
        }
        let pids = [directory.path("shell"), directory.path("child")].compactMap { Self.lines($0).first }
            .compactMap { Int32($0) }
        #expect(pids.count == 2)
        #expect(pids.allSatisfy(isRunning))
        let cancelled = try await SwitchboardProcess.run(["jobs", "cancel", String(id)], database: database)
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        try await waitUntil("the cancelled job's processes are gone", timeout: .seconds(1)) {
            !pids.contains(where: isRunning)
        }
        worker.signal(SIGTERM)
        let finished = await worker.finish()
        #expect(finished.status == 0)
        #expect(finished.stderr.contains("job \(id) lost its lease"), "\(finished.stderr)")
    }

    @Test(
        "a job cancelled while it runs and redriven at once runs again only once the cancelled attempt has stopped",
        arguments: TestBackend.all, [["dlq", "redrive"], ["jobs", "retry"]])
    func cancelThenRedrive(backend: TestBackend, redrive: [String]) async throws {
        let directory = try TestDirectory()
        let database = try await backend.newDatabase(in: directory).connectionText
        let folder = directory.url.path
        let enqueued = try await SwitchboardProcess.run(
            ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}", "--json"], database: database)
        let id = try #require(Self.jobID(enqueued.stdout))
        // Each attempt notes when it holds the job's lock, and runs until it is stopped; it ignores SIGTERM.
        let command = """
            trap '' TERM
            flock -n -E 99 \(folder)/lock sh -c 'echo $SWITCHBOARD_ATTEMPT >> \(folder)/locked; sleep 60'
            [ $? = 99 ] && echo $SWITCHBOARD_ATTEMPT >> \(folder)/overlaps
            """
        // A free slot, to take the redriven job the moment it is runnable; the default lease, 30 s.
        let worker = try SwitchboardProcess.start(
            ["work", "--queue", "q", "--concurrency", "2", "--exec", command], database: database)
        defer { worker.signal(SIGKILL) }
        try await waitUntil("the job runs") { Self.lines(directory.path("locked")).count == 1 }
        let cancelled = try await SwitchboardProcess.run(["jobs", "cancel", String(id)], database: database)
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        let redriven = try await SwitchboardProcess.run(redrive + [String(id)], database: database)
        #expect(redriven.status == 0, "\(redriven.stderr)")
        // Well before the cancelled lease would run out: its worker confirmed the stop.
        try await waitUntil("the redriven job runs", timeout: .seconds(25)) {
            Self.lines(directory.path("locked")).count == 2 || !Self.lines(directory.path("overlaps")).isEmpty
        }
        #expect(Self.lines(directory.path("overlaps")).isEmpty, "the cancelled and the redriven attempt overlapped")
        worker.signal(SIGTERM)
        #expect(await worker.finish().status == 0)
    }
}
