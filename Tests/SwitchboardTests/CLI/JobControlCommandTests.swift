import Foundation
import Testing

/// `jobs cancel`, `jobs retry` and `jobs list --after` as an operator types them.
@Suite("Job control commands", .timeLimit(.minutes(3)))
struct JobControlCommandTests {
    @Test("cancel and retry say what each id was and what became of it; an id that could not be acted on exits 65")
    func cancelAndRetry() async throws {
        let directory = try TestDirectory()
        let db = directory.databasePath
        for arguments in [["--group", "g"], ["--group", "g"], ["--delay", "600"]] {
            let enqueued = try await SwitchboardProcess.run(
                ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}"] + arguments, database: db)
            #expect(enqueued.status == 0, "\(enqueued.stderr)")
        }
        let cancel = try await SwitchboardProcess.run(["jobs", "cancel", "1", "--json"], database: db)
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(cancel.stdout.contains(#"{"job_id":1,"was":"ready","result":"cancelled"}"#))
        let retry = try await SwitchboardProcess.run(["jobs", "retry", "3", "2", "77", "--json"], database: db)
        #expect(retry.status == 65)
        #expect(retry.stdout.contains(#"{"job_id":3,"was":"scheduled","result":"made_ready"}"#))
        #expect(
            retry.stdout.contains(#"{"job_id":2,"was":"ready","result":"unchanged"}"#), "job 2 ran once 1 was cancelled"
        )
        #expect(retry.stdout.contains(#"{"job_id":77,"result":"not_found"}"#))
        let dead = try await SwitchboardProcess.run(["dlq", "list"], database: db)
        #expect(dead.stdout.contains("cancelled"))
        let redrive = try await SwitchboardProcess.run(["jobs", "retry", "1"], database: db)
        #expect(redrive.status == 0 && redrive.stdout.contains("job 1 redriven (it was dead)"), "\(redrive.stdout)")
        let bad = try await SwitchboardProcess.run(["jobs", "cancel"], database: db)
        #expect(bad.status == 64)
    }

    @Test("jobs list --limit names the next page, and --after shows it")
    func paging() async throws {
        let directory = try TestDirectory()
        let db = directory.databasePath
        let lines = (0..<5).map { _ in #"{"queue":"q","kind":"k","payload":{}}"# }.joined(separator: "\n")
        #expect(try await SwitchboardProcess.run(["enqueue", "--batch"], database: db, stdin: lines).status == 0)
        let first = try await SwitchboardProcess.run(["jobs", "list", "--limit", "2"], database: db)
        #expect(first.stderr.contains("the next page is --after 2"), "\(first.stderr)")
        let second = try await SwitchboardProcess.run(
            ["jobs", "list", "--limit", "2", "--after", "2", "--json"], database: db)
        let ids = second.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? Int
        }
        #expect(ids == [3, 4])
    }

    @Test("queues pause holds a running worker off a queue; queues resume wakes it", arguments: TestBackend.all)
    func pauseAndResume(backend: TestBackend) async throws {
        let directory = try TestDirectory()
        let location = try await backend.newDatabase(in: directory)
        let db = location.connectionText
        #expect(
            try await SwitchboardProcess.run(["queues", "pause", "q"], database: db).status == 69, "no database yet")
        let marker = directory.path("ran")
        let enqueued = try await SwitchboardProcess.run(
            ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}"], database: db)
        #expect(enqueued.status == 0)
        #expect(try await SwitchboardProcess.run(["queues", "pause", "q"], database: db).status == 0)
        let drained = try await SwitchboardProcess.run(
            ["work", "--queue", "q", "--exec", "touch \(marker)", "--drain"], database: db)
        #expect(drained.status == 0, "a drain does not wait for a paused queue")
        #expect(!FileManager.default.fileExists(atPath: marker), "nothing ran while paused")
        let stats = try await SwitchboardProcess.run(["stats", "--json"], database: db)
        #expect(stats.stdout.contains(#""paused_queues":["q"]"#), "\(stats.stdout)")

        let worker = try SwitchboardProcess.start(["work", "--queue", "q", "--exec", "touch \(marker)"], database: db)
        defer { worker.signal(SIGKILL) }
        #expect(try await SwitchboardProcess.run(["queues", "resume", "q"], database: db).status == 0)
        try await waitUntil("the resumed queue's job runs", timeout: .seconds(20)) {
            FileManager.default.fileExists(atPath: marker)
        }
        worker.signal(SIGTERM)
        #expect(await worker.finish().status == 0)
    }
}
