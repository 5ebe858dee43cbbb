import ChatStore
import Foundation
import Harness
import Queue
import Testing

/// Worker processes seen by the operator: `workers`, `jobs show`, and serve's metrics.
@Suite("Workers seen and counted", .serialized, .timeLimit(.minutes(2)))
struct WorkerRegistryProcessTests {
    @Test("a drained worker is listed gone with its counts per kind; a running one live, named by jobs show")
    func seenAndCounted() async throws {
        let directory = try TestDirectory()
        let db = directory.databasePath
        let lines =
            Array(repeating: #"{"queue":"q","kind":"k1","payload":{}}"#, count: 3)
            + [#"{"queue":"q","kind":"k2","payload":{},"max_attempts":1}"#]
        #expect(
            try await SwitchboardProcess.run(
                ["enqueue", "--batch"], database: db, stdin: lines.joined(separator: "\n")
            ).status == 0)
        let drained = try await SwitchboardProcess.run(
            ["work", "--queue", "q", "--exec", #"test "$SWITCHBOARD_KIND" = k1"#, "--drain"], database: db)
        #expect(drained.status == 0, "\(drained.stderr)")
        let listed = try await SwitchboardProcess.run(["workers", "--json"], database: db)
        let worker = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        #expect(worker["state"] as? String == "gone")
        let counts = worker["counts"] as? [String: [String: [String: Int]]]
        #expect(counts?["q"]?["k1"]?["completed"] == 3)
        #expect(counts?["q"]?["k2"]?["dead_lettered"] == 1)

        let serve = try await TestServer([], database: db)
        defer { serve.child.signal(SIGKILL) }
        let samples = try await ServeTests.parsePrometheus(try await serve.send(.get, "/metrics").body)
        #expect(samples[#"switchboard_workers{state="gone"}"#] == 1)
        #expect(samples[#"switchboard_workers{state="live"}"#] == 0)
        #expect(samples[#"switchboard_jobs_completed_total{kind="k1",queue="q"}"#] == 3)
        #expect(samples[#"switchboard_jobs_dead_lettered_total{kind="k2",queue="q"}"#] == 1)
        #expect(samples[#"switchboard_job_duration_seconds_count{}"#] == 4)

        let enqueued = try await SwitchboardProcess.run(
            ["enqueue", "--queue", "q", "--kind", "slow", "--payload", "{}"], database: db)
        let id = try #require(
            Int64(enqueued.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").last ?? ""))
        let running = try SwitchboardProcess.start(
            ["work", "--queue", "q", "--exec", "sleep 30", "--shutdown-grace", "0"], database: db)
        defer { running.signal(SIGKILL) }
        let store = try await SwitchboardDatabase.open(.sqlite(path: db))
        try await waitUntil("the slow job is leased") { try await store.job(id: id)?.state == .leased }
        let shown = try await SwitchboardProcess.run(["jobs", "show", "\(id)"], database: db)
        #expect(shown.stdout.contains("worker:       live, pid \(running.pid)"), "\(shown.stdout)")
        let table = try await SwitchboardProcess.run(["workers"], database: db)
        #expect(table.stdout.contains("live") && table.stdout.contains("gone"), "\(table.stdout)")
        running.signal(SIGTERM)
        #expect(await running.finish().status == 0)
    }
}
