import Foundation
import Harness
import Queue
import Testing

/// `work --drain` and `--drain-all` on a database with retries, snoozes and delays still to run: what
/// moving off a database needs.
@Suite("Draining a database", .timeLimit(.minutes(2)))
struct DrainTests {
    /// Fails (`fail`) or snoozes (`snooze`) a job the first time it runs, and notes each job that completes.
    private static func command(_ directory: TestDirectory) -> String {
        let folder = directory.url.path
        return """
            if [ ! -e \(folder)/seen-$SWITCHBOARD_JOB_ID ]; then
              touch \(folder)/seen-$SWITCHBOARD_JOB_ID
              [ "$SWITCHBOARD_KIND" = fail ] && exit 1
              [ "$SWITCHBOARD_KIND" = snooze ] && exit 75
            fi
            echo $SWITCHBOARD_JOB_ID >> \(folder)/done
            """
    }

    private static func done(_ directory: TestDirectory) -> Set<Int64> {
        Set(
            ((try? String(contentsOfFile: directory.path("done"), encoding: .utf8)) ?? "").split(separator: "\n")
                .compactMap { Int64($0) })
    }

    @Test(
        "--drain leaves scheduled jobs and says so; --drain-all waits for retries, snoozes and delays",
        arguments: TestBackend.all)
    func drainAllWaitsForScheduled(backend: TestBackend) async throws {
        let directory = try TestDirectory()
        let database = try await backend.newDatabase(in: directory).connectionText
        var ids: [Int64] = []
        for (kind, delay) in [("fail", nil), ("snooze", nil), ("later", "30")] as [(String, String?)] {
            let enqueued = try await SwitchboardProcess.run(
                ["enqueue", "--queue", "q", "--kind", kind, "--payload", "{}", "--json"]
                    + (delay.map { ["--delay", $0] } ?? []),
                database: database)
            #expect(enqueued.status == 0, "\(enqueued.stderr)")
            ids += [LeaseSafetyTests.jobID(enqueued.stdout)].compactMap { $0 }
        }
        let work = ["work", "--queue", "q", "--snooze", "30", "--exec", Self.command(directory)]

        // The snoozed and the delayed job are due 30 s on (a margin for a loaded machine); the failed one's retry 1 s on at the latest.
        let drained = try await SwitchboardProcess.run(work + ["--drain"], database: database)
        #expect(drained.status == 0, "\(drained.stderr)")
        let left = drained.stderr.split(separator: "\n").first { $0.hasPrefix("drained; left: q: ") }
        #expect(left?.hasSuffix(" scheduled (--drain-all waits for scheduled jobs)") == true, "\(drained.stderr)")
        #expect(Self.done(directory).isDisjoint(with: ids.dropFirst()), "the snoozed and the delayed job wait")

        let all = try await SwitchboardProcess.run(work + ["--drain-all", "--json"], database: database)
        #expect(all.status == 0, "\(all.stderr)")
        let drainedEvent = all.stderr.split(separator: "\n").first { $0.contains(#""event":"drained""#) }
        #expect(drainedEvent?.contains(#""left":{}"#) == true, "nothing is left: \(all.stderr)")
        #expect(Self.done(directory) == Set(ids), "the retried, the snoozed and the delayed job all ran")
        #expect(ids.count == 3)
    }
}
