import Foundation
import Queue
import Testing

/// Starting against PostgreSQL: settings no retry mends exit 78 (the systemd units do not restart on
/// it), a server that cannot be reached makes a command exit 75 at once, and makes `work` wait for it,
/// saying so, until the server answers or the worker is stopped.
@Suite(
    "Starting on PostgreSQL", .enabled(if: TestPostgres.enabled, "PostgreSQL's programs are not installed"),
    .timeLimit(.minutes(2)))
struct PostgresStartupTests {
    @Test(
        "a missing database or role and a bad parameter exit 78, from a command and from a long-running one",
        arguments: [
            ("a missing database", "/no_such_database", "", "3D000"),
            ("a missing role", "", "&user=nobody_here", "28000"),
            ("a bad parameter", "", "&bogus_parameter=1", "bogus_parameter"),
        ])
    func configurationErrors(_ what: String, database: String, extra: String, named: String) async throws {
        guard case .postgres(var url) = try await TestPostgres.newDatabase() else { return }
        if !database.isEmpty {
            url = url.replacing(#/postgresql:///[^?]+/#, with: "postgresql://" + database)
        }
        url += extra
        for command in [["stats"], ["work", "--exec", "true"], ["serve", "--listen", "127.0.0.1:0"]] {
            let result = try await SwitchboardProcess.run(command, environment: ["SWITCHBOARD_DB": url])
            #expect(result.status == 78, "\(what), \(command): \(result.stderr)")
            #expect(result.stderr.contains(named), "\(what), \(command): \(result.stderr)")
            #expect(!result.stderr.contains("waiting for the database"), "\(result.stderr)")
        }
    }

    @Test("with no server, a command exits 75 at once, and a worker waits, saying so, until SIGTERM (exit 0)")
    func serverAbsent() async throws {
        let directory = try TestDirectory()
        let url = "postgresql:///switchboard?host=\(directory.url.path)&user=switchboard"
        let stats = try await SwitchboardProcess.run(["stats"], environment: ["SWITCHBOARD_DB": url])
        #expect(stats.status == 75, "\(stats.stderr)")
        let worker = try SwitchboardProcess.start(
            ["work", "--queue", "q", "--exec", "true"], environment: ["SWITCHBOARD_DB": url])
        try await waitUntil("the worker has tried three times") {
            worker.errorOutputSoFar.contains("waiting for the database (attempt 3)") || worker.exitStatus != nil
        }
        #expect(worker.exitStatus == nil, "\(worker.errorOutputSoFar)")
        worker.terminate()
        let finished = await worker.finish()
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stderr.contains("No such file or directory"), "the log says why: \(finished.stderr)")
        #expect(finished.stderr.contains("stopped before the database could be reached"), "\(finished.stderr)")
    }

    @Test("a worker started while the server is down runs a job once the server starts")
    func serverStartsLate() async throws {
        let server = try await PrivatePostgres(password: nil)
        let url = server.url()
        let directory = try TestDirectory()
        let marker = directory.path("ran")
        let worker = try SwitchboardProcess.start(
            ["work", "--queue", "q", "--exec", "touch \(marker)"], environment: ["SWITCHBOARD_DB": url])
        try await waitUntil("the worker waits for the server") {
            worker.errorOutputSoFar.contains("waiting for the database (attempt 2)") || worker.exitStatus != nil
        }
        #expect(worker.exitStatus == nil, "\(worker.errorOutputSoFar)")
        try await server.start()
        let enqueued = try await SwitchboardProcess.run(
            ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}"], environment: ["SWITCHBOARD_DB": url])
        #expect(enqueued.status == 0, "\(enqueued.stderr)")
        try await waitUntil("the worker has run the job", timeout: .seconds(60)) {
            FileManager.default.fileExists(atPath: marker) || worker.exitStatus != nil
        }
        worker.terminate()
        let finished = await worker.finish()
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(FileManager.default.fileExists(atPath: marker), "\(finished.stderr)")
        #expect(finished.stderr.contains("worker started"), "\(finished.stderr)")
    }
}
