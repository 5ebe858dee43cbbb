import ChatStore
import Foundation
import Harness
import JSON
import Queue
import Testing

/// How a worker ends: on a hang-up, on a database it cannot use, and that nothing it started outlives it.
@Suite("How workers end", .serialized, .timeLimit(.minutes(2)))
struct WorkerEndingsTests {
    /// Enqueues one job and starts a worker whose command writes its pid to `pids`, then sleeps.
    private func sleepingWorker(_ directory: TestDirectory, pids: String) async throws -> (SwitchboardChild, Int64) {
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let id = try await store.enqueue(NewJob(queue: "q", kind: "k")).jobID
        let worker = try SwitchboardProcess.start(
            ["work", "--queue", "q", "--shutdown-grace", "0.5", "--exec", "echo $$ > \(pids); exec sleep 300"],
            database: directory.databasePath
        )
        try await waitUntil("the command started") {
            FileManager.default.fileExists(atPath: pids) && commandPID(pids) != nil
        }
        return (worker, id)
    }

    private func commandPID(_ path: String) -> Int32? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap {
            Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    @Test("SIGHUP stops the worker like SIGTERM: its command ends and its job is handed back")
    func hangUp() async throws {
        let directory = try TestDirectory()
        let pids = directory.path("pid")
        let (worker, id) = try await sleepingWorker(directory, pids: pids)
        let command = try #require(commandPID(pids))
        worker.signal(SIGHUP)
        let result = await worker.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!isRunning(command), "the command ended with the worker")
        let job = try #require(try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath)).job(id: id))
        #expect(job.state == .ready)
        #expect(job.attempts == 0, "handed back without spending an attempt")
    }

    @Test("a command dies with its worker when the worker is killed outright")
    func commandDiesWithKilledWorker() async throws {
        let directory = try TestDirectory()
        let pids = directory.path("pid")
        let (worker, _) = try await sleepingWorker(directory, pids: pids)
        let command = try #require(commandPID(pids))
        worker.signal(SIGKILL)
        _ = await worker.finish()
        try await waitUntil("the command is gone") { !isRunning(command) }
    }

    @Test("a killed benchmark leaves no fake provider or worker behind")
    func benchmarkChildrenDie() async throws {
        let directory = try TestDirectory()
        // Large enough that the benchmark is still running once its workers start (after it has measured
        // the fake provider alone).
        let bench = try SwitchboardProcess.start([
            "bench", "pipeline", "--events", "50000", "--dir", directory.url.path,
        ])
        var started: [Int32] = []
        try await waitUntil("the benchmark started its fake provider and two workers", timeout: .seconds(90)) {
            started = children(of: bench.pid)
            return started.count >= 3
        }
        bench.signal(SIGKILL)
        _ = await bench.finish()
        try await waitUntil("every child of the benchmark is gone") { started.allSatisfy { !isRunning($0) } }
    }

    @Test("a worker whose database turns corrupt gives up with exit 74 instead of retrying forever")
    func corruptDatabase() async throws {
        let directory = try TestDirectory()
        let path = directory.databasePath
        let store = try await SwitchboardDatabase.open(.sqlite(path: path))
        try await store.enqueue(NewJob(queue: "q", kind: "k", runAt: .after(.seconds(3600))))
        let worker = try SwitchboardProcess.start(["work", "--queue", "q", "--exec", "true"], database: path)
        // Its first exchange registers it (and claims nothing: the job is an hour away).
        try await waitUntil("the worker has exchanged once") {
            try RawSQLite.integer("SELECT count(*) FROM workers", at: path) == 1
        }
        // Overwrite the pages of the index every claim reads, behind SQLite's back, then commit elsewhere
        // so the worker's cache of them is dropped: its next exchange meets the corruption.
        try RawSQLite.run("PRAGMA wal_checkpoint(TRUNCATE)", at: path)
        let page = try RawSQLite.integer("PRAGMA page_size", at: path)
        let root = try RawSQLite.integer("SELECT rootpage FROM sqlite_schema WHERE name = 'jobs_scheduled'", at: path)
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try file.seek(toOffset: UInt64((root - 1) * page))
        try file.write(contentsOf: Data(repeating: 0xA5, count: Int(page)))
        try file.close()
        try RawSQLite.run("INSERT INTO rate_holds (bucket, until) VALUES ('test', 0)", at: path)
        let result = await worker.finish()
        #expect(result.status == 74, "\(result.stderr)")
        #expect(result.stderr.contains("database error, giving up"), "\(result.stderr)")
        #expect(result.stderr.contains("malformed"), "\(result.stderr)")
    }
}
