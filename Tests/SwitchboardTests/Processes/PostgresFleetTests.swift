import ChatStore
import Foundation
import Harness
import Queue
import Testing

/// A fleet of real `switchboard` processes sharing one PostgreSQL database, as workers on several
/// machines would, losing a process and a connection on the way.
@Suite(
    "A worker fleet on PostgreSQL", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: TestPostgres.enabled, "PostgreSQL's programs are not installed"))
struct PostgresFleetTests {
    /// Runs a job for 50 ms and logs its id; a job of a group runs under the group's lock file, taken
    /// without waiting, so two jobs of one group running at once leave a line in `overlaps`.
    private static func command(_ directory: TestDirectory) -> String {
        let folder = directory.url.path
        return """
            p=$(cat); g=$(printf %s "$p" | sed -E 's/.*"g":"([^"]*)".*/\\1/')
            if [ -n "$g" ]; then
              flock -n "\(folder)/$g.lock" sh -c 'echo $SWITCHBOARD_JOB_ID >> \(folder)/done; sleep 0.05' \
                || echo "$g $SWITCHBOARD_JOB_ID" >> \(folder)/overlaps
            else
              echo $SWITCHBOARD_JOB_ID >> \(folder)/done; sleep 0.05
            fi
            """
    }

    private func doneLines(_ directory: TestDirectory) -> [Int64] {
        ((try? String(contentsOfFile: directory.path("done"), encoding: .utf8)) ?? "").split(separator: "\n")
            .compactMap { Int64($0) }
    }

    /// How the fleet reaches the database: directly, or through a transaction-mode PgBouncer with a
    /// direct connection for listening only.
    enum Route: String, CaseIterable, CustomStringConvertible, Sendable {
        case direct
        case pgbouncer

        static var all: [Route] { TestPgBouncer.enabled ? allCases : [.direct] }

        var description: String { rawValue }
    }

    @Test(
        "three workers, one killed with SIGKILL and one whose connection the server ends: every job done, repeats bounded, groups one at a time",
        arguments: Route.all
    )
    func fleetSurvivesLosses(route: Route) async throws {
        let directory = try TestDirectory()
        let location: StoreLocation
        let environment: [String: String]
        switch route {
        case .direct:
            location = try await TestPostgres.newDatabase()
            environment = ["SWITCHBOARD_DB": location.connectionText]
        case .pgbouncer:
            let (direct, pooled) = try await TestPgBouncer.newDatabase()
            location = pooled
            environment = ["SWITCHBOARD_DB": pooled.connectionText, "SWITCHBOARD_DB_LISTEN": direct.connectionText]
        }
        let url = location.connectionText
        let lines = (0..<600).map { index in
            let group = index % 2 == 0 ? "g\(index % 8)" : ""
            let groupField = group.isEmpty ? "" : #","group":"\#(group)""#
            return #"{"kind":"k","payload":{"g":"\#(group)","n":\#(index)}\#(groupField)}"#
        }
        let enqueued = try await SwitchboardProcess.run(
            ["enqueue", "--batch", "--queue", "q"], stdin: lines.joined(separator: "\n"), environment: environment)
        #expect(enqueued.status == 0, "\(enqueued.stderr)")
        let ids = Set(enqueued.stdout.split(separator: "\n").compactMap { Int64($0.split(separator: " ").last ?? "") })
        #expect(ids.count == 600)

        let concurrency = 8
        let workers = try (0..<3).map { _ in
            try SwitchboardProcess.start(
                [
                    "work", "--queue", "q", "--concurrency", String(concurrency), "--lease", "3", "--drain",
                    "--exec", Self.command(directory),
                ],
                environment: environment)
        }
        try await waitUntil("the fleet has done 100 jobs") { doneLines(directory).count >= 100 }
        workers[0].signal(SIGKILL)
        #expect(await workers[0].finish().status == 128 + SIGKILL)

        let observer = try BehindTheStore.connect(url)
        let terminated = try observer.execute(
            """
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = $1
            """,
            [.text("switchboard pid \(workers[1].pid)")]
        ).first { $0.int64(0) }
        #expect((terminated ?? 0) >= 1, "the second worker's connections were ended")

        // A worker that cannot renew a lease in time (its connections ended, a loaded machine slow to give
        // it new ones) stops that job and hands it back: it runs again, as it should. Each says so.
        var handedBack = 0
        for worker in workers.dropFirst() {
            let result = await worker.finish()
            #expect(result.status == 0, "\(result.stderr)")
            handedBack += result.stderr.split(separator: "\n").count {
                $0.contains("could not renew its lease in time") || $0.contains("lost its lease")
            }
        }
        let done = doneLines(directory)
        #expect(ids.subtracting(done).isEmpty, "every job ran; \(ids.subtracting(done).count) did not")
        #expect(
            done.count - ids.count <= concurrency + handedBack,
            "repeats (\(done.count - ids.count)) are at most the killed worker's jobs in flight and those handed back (\(handedBack))"
        )
        #expect(!FileManager.default.fileExists(atPath: directory.path("overlaps")), "no group ran two jobs at once")
        var options = StoreOptions()
        options.access = .readOnly
        #expect(try await SwitchboardDatabase.open(location, options: options).stats().totals.values.reduce(0, +) == 0)
    }
}
