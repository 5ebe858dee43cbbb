import ChatStore
import Foundation
import JSON
import Queue
import Testing

/// Several real `switchboard` processes sharing one database file.
@Suite("Worker processes", .serialized, .timeLimit(.minutes(2)))
struct ProcessTests {
    private func batch(_ count: Int, kind: String = "k") -> String {
        (0..<count).map { #"{"kind":"\#(kind)","payload":{"n":\#($0)}}"# }.joined(separator: "\n")
    }

    private func enqueueIDs(_ count: Int, queue: String = "q", database: String) async throws -> Set<Int64> {
        let result = try await SwitchboardProcess.run(
            ["enqueue", "--batch", "--queue", queue], database: database, stdin: batch(count)
        )
        #expect(result.status == 0, "\(result.stderr)")
        return Set(result.stdout.split(separator: "\n").compactMap { Int64($0.split(separator: " ").last ?? "") })
    }

    private func openStore(_ path: String) async throws -> JobStore {
        var options = StoreOptions()
        options.access = .existing
        return try await SwitchboardDatabase.open(.sqlite(path: path), options: options)
    }

    @Test("three `work --exec` processes on one file complete every job exactly once, with no lock error")
    func exactlyOnceAcrossProcesses() async throws {
        let directory = try TestDirectory()
        let ids = try await enqueueIDs(300, database: directory.databasePath)
        let log = directory.path("done.txt")
        let workers = try (0..<3).map { _ in
            try SwitchboardProcess.start(
                [
                    "work", "--queue", "q", "--concurrency", "4", "--lease", "60", "--drain", "--verbose",
                    "--exec", "sleep 0.01; echo $SWITCHBOARD_JOB_ID >> \(log)",
                ],
                database: directory.databasePath
            )
        }
        var perWorker: [Int] = []
        for worker in workers {
            let result = await worker.finish()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stderr.contains("database error"), "\(result.stderr)")
            perWorker.append(result.stderr.components(separatedBy: " completed\n").count - 1)
        }
        let done = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").compactMap { Int64($0) }
        #expect(done.count == ids.count, "every job ran once: no more, no fewer")
        #expect(Set(done) == ids)
        #expect(perWorker.reduce(0, +) == ids.count)
        #expect(perWorker.allSatisfy { $0 > 0 }, "all three processes took jobs: \(perWorker)")
        let stats = try await openStore(directory.databasePath).stats()
        #expect(stats.totals.values.reduce(0, +) == 0)
    }

    @Test("four no-op worker processes racing for 20,000 jobs complete each once, surfacing no lock error")
    func heavyContention() async throws {
        let directory = try TestDirectory()
        // `bench worker` takes jobs from the benchmark's queue.
        let ids = try await enqueueIDs(20_000, queue: "bench", database: directory.databasePath)
        let workers = try (0..<4).map { _ in
            try SwitchboardProcess.start(
                ["bench", "worker", "--concurrency", "64", "--drain"], database: directory.databasePath)
        }
        for worker in workers {
            #expect(await worker.readLine() == "ready")
        }
        workers.forEach { $0.write("go\n") }
        var processed = 0
        for worker in workers {
            let result = await worker.finish()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.isEmpty, "\(result.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            processed += report?["processed"] as? Int ?? 0
        }
        // Completing deletes the job and needs a current lease, so a job cannot be completed twice:
        // completions adding up to the job count, with nothing left, means each exactly once.
        #expect(processed == ids.count)
        #expect(try await openStore(directory.databasePath).stats().totals.values.reduce(0, +) == 0)
    }

    @Test("jobs leased by a process killed with SIGKILL are reclaimed after the lease expires and completed")
    func killedWorkerRecovered() async throws {
        let directory = try TestDirectory()
        let ids = try await enqueueIDs(12, database: directory.databasePath)
        let pids = directory.path("pids.txt")
        let doomed = try SwitchboardProcess.start(
            [
                "work", "--queue", "q", "--concurrency", "4", "--lease", "2", "--exec",
                "echo $$ >> \(pids); exec sleep 60 >/dev/null 2>&1",
            ],
            database: directory.databasePath
        )
        let store = try await openStore(directory.databasePath)
        try await waitUntil("the first worker holds 4 leases") { try await store.stats().leasesInFlight == 4 }
        doomed.signal(SIGKILL)
        #expect(await doomed.finish().status == 128 + SIGKILL)
        let orphans = ((try? String(contentsOfFile: pids, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            Int32($0)
        }
        try await waitUntil("the killed worker's commands died with it") { orphans.allSatisfy { !isRunning($0) } }

        let log = directory.path("done.txt")
        let rescuer = try await SwitchboardProcess.run(
            [
                "work", "--queue", "q", "--concurrency", "4", "--lease", "2", "--drain",
                "--exec", "echo $SWITCHBOARD_JOB_ID:$SWITCHBOARD_ATTEMPT >> \(log)",
            ],
            database: directory.databasePath
        )
        #expect(rescuer.status == 0, "\(rescuer.stderr)")
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        let done = lines.map { $0.split(separator: ":") }
        #expect(Set(done.compactMap { Int64($0[0]) }) == ids)
        #expect(done.count == ids.count)
        #expect(done.filter { $0[1] == "2" }.count == 4, "the four orphaned jobs ran again as attempt 2")
        #expect(try await store.stats().totals.values.reduce(0, +) == 0)
    }

    @Test("every enqueue the command reported is in the database after the command is killed")
    func reportedEnqueueSurvivesKill() async throws {
        let directory = try TestDirectory()
        let enqueuer = try SwitchboardProcess.start(
            ["enqueue", "--batch", "--queue", "q", "--durability", "full"], database: directory.databasePath
        )
        enqueuer.write(batch(60_000))
        enqueuer.closeInput()
        let reported = [await enqueuer.readLine()].compactMap { $0 }
        enqueuer.signal(SIGKILL)
        _ = await enqueuer.finish()
        #expect(!reported.isEmpty)
        let store = try await openStore(directory.databasePath)
        // The last line read may have been cut by the kill; every whole one names a job.
        let ids = reported.compactMap { line -> Int64? in
            let fields = line.split(separator: " ")
            return fields.count == 3 && fields[0] == "enqueued" ? Int64(fields[2]) : nil
        }
        #expect(ids.count >= reported.count - 1, "\(reported.prefix(3))")
        for id in ids {
            #expect(try await store.job(id: id) != nil, "job \(id) was reported enqueued")
        }
    }

    @Test("a command's exit status decides its job: 0 completes, 75 snoozes, 65 dead-letters, others retry")
    func exitStatusesMapToOutcomes() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        var ids: [String: Int64] = [:]
        for kind in ["ok", "snooze", "reject", "crash"] {
            ids[kind] = try await store.enqueue(NewJob(queue: "q", kind: kind, maxAttempts: 3)).jobID
        }
        let script = """
            case $SWITCHBOARD_KIND in ok) exit 0;; snooze) exit 75;; reject) echo bad input >&2; exit 65;;
            *) echo "crashed on $SWITCHBOARD_ATTEMPT" >&2; exit 3;; esac
            """
        let result = try await SwitchboardProcess.run(
            ["work", "--queue", "q", "--drain", "--snooze", "600", "--exec", script], database: directory.databasePath
        )
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try await store.job(id: ids["ok"]!) == nil)
        let snoozed = try #require(try await store.job(id: ids["snooze"]!))
        #expect(snoozed.state == .scheduled)
        #expect(snoozed.attempts == 0)
        let rejected = try await store.deadLetter(id: ids["reject"]!)
        #expect(rejected.deadReason == .nonRetryable)
        #expect(rejected.lastError?.contains("bad input") == true)
        let crashed = try #require(try await store.job(id: ids["crash"]!))
        #expect(crashed.state == .scheduled)
        #expect(crashed.lastError == "command exited with 3: crashed on 1")
    }

    @Test("SIGTERM lets running commands finish within the grace period, then hands back the rest")
    func gracefulShutdown() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let quick = try await store.enqueue(NewJob(queue: "q", kind: "quick")).jobID
        let slow = try await store.enqueue(NewJob(queue: "q", kind: "slow")).jobID
        let started = directory.path("started.txt")
        let worker = try SwitchboardProcess.start(
            [
                "work", "--queue", "q", "--concurrency", "2", "--shutdown-grace", "5",
                "--exec",
                #"echo x >> \#(started); if [ "$SWITCHBOARD_KIND" = quick ]; then sleep 0.3; else sleep 60; fi"#,
            ],
            database: directory.databasePath
        )
        try await waitUntil("both commands started") {
            ((try? String(contentsOfFile: started, encoding: .utf8)) ?? "").count == 4
        }
        let signalled = ContinuousClock.now
        worker.signal(SIGTERM)
        let result = await worker.finish()
        #expect(result.status == 0, "\(result.stderr)")
        // The grace leaves the 0.3 s command room on a loaded machine; the 60 s one outlasts it by far.
        #expect(ContinuousClock.now - signalled < .seconds(30), "the 60 s command was cut short after the grace")
        #expect(try await store.job(id: quick) == nil, "the quick job finished inside the grace period")
        let handedBack = try #require(try await store.job(id: slow))
        #expect(handedBack.state == .ready)
        #expect(handedBack.attempts == 0, "handing back does not spend an attempt")
    }
}
