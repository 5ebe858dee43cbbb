import ChatStore
import Foundation
import Queue
import Testing

/// Commands that refuse, or only look, leave every file as it was; the demo never touches one it did not make.
@Suite("Data safety", .timeLimit(.minutes(2)))
struct DataSafetyTests {
    private func contents(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    @Test("the demo ignores SWITCHBOARD_DB, works in a new temporary directory, and says where")
    func demoIgnoresEnvironment() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let live = try await store.enqueue(NewJob(queue: "mail", kind: "welcome")).jobID
        let result = try await SwitchboardProcess.run(
            ["demo"], environment: ["SWITCHBOARD_DB": directory.databasePath], directory: directory.url
        )
        #expect(result.status == 0, "\(result.stderr)")
        let firstLine = try #require(result.stdout.split(separator: "\n").first)
        let demoPath = String(try #require(firstLine.firstMatch(of: /(\/\S*switchboard-demo-\S+\/demo\.db)/)?.1))
        defer { try? FileManager.default.removeItem(atPath: (demoPath as NSString).deletingLastPathComponent) }
        #expect(FileManager.default.fileExists(atPath: demoPath))
        #expect(try await store.job(id: live)?.state == .ready, "the live queue kept its job")
        #expect(try await store.jobs().count == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.path("switchboard.db")))
    }

    @Test("the demo refuses a --db path that exists, and leaves the file as it was")
    func demoRefusesExistingFile() async throws {
        let directory = try TestDirectory()
        let notes = directory.path("notes.txt")
        try Data("call the bank\n".utf8).write(to: URL(fileURLWithPath: notes))
        let result = try await SwitchboardProcess.run(["demo", "--db", notes])
        #expect(result.status == 73)
        #expect(result.stderr.contains("notes.txt already exists"), "\(result.stderr)")
        #expect(try contents(notes) == Data("call the bank\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: notes + "-wal"))
    }

    @Test("a refused intake creates no database")
    func refusedIntakeCreatesNothing() async throws {
        let directory = try TestDirectory()
        let result = try await SwitchboardProcess.run(
            ["intake", "--provider", "telegram", "--queue", ""], database: directory.databasePath, stdin: "{}"
        )
        #expect(result.status == 64)
        #expect(result.stderr.contains("--queue"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.databasePath))
    }

    @Test(
        "inspecting an empty file refuses it and writes nothing into it",
        arguments: [
            ["stats"], ["jobs", "list"], ["jobs", "show", "1"], ["dlq", "list"], ["dlq", "show", "1"],
            ["link", "list", "--account", "a"], ["link", "resolve", "--platform", "slack", "--server-id", "T1"],
            ["dlq", "purge", "--all", "--dry-run"],
        ])
    func inspectingEmptyFile(arguments: [String]) async throws {
        let directory = try TestDirectory()
        #expect(FileManager.default.createFile(atPath: directory.databasePath, contents: Data()))
        let result = try await SwitchboardProcess.run(arguments, database: directory.databasePath)
        #expect(result.status == 69)
        #expect(result.stderr.contains("holds no Switchboard database yet"), "\(result.stderr)")
        #expect(try contents(directory.databasePath).isEmpty)
    }

    @Test("inspecting a database that needs migrating refuses it and leaves it as it was")
    func inspectingOutdatedSchema() async throws {
        let directory = try TestDirectory()
        _ = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        try RawSQLite.run("PRAGMA user_version=1; PRAGMA wal_checkpoint(TRUNCATE);", at: directory.databasePath)
        let before = try contents(directory.databasePath)
        let result = try await SwitchboardProcess.run(["stats"], database: directory.databasePath)
        #expect(result.status == 69)
        #expect(result.stderr.contains("switchboard migrate"), "\(result.stderr)")
        #expect(try contents(directory.databasePath) == before)
    }

    /// A missing database is created: `DatabaseLookupTests.migrateCreates`.
    @Test("migrate reports the version of an existing database")
    func migrate() async throws {
        let directory = try TestDirectory()
        _ = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let current = try await SwitchboardProcess.run(["migrate", "--json"], database: directory.databasePath)
        #expect(current.status == 0, "\(current.stderr)")
        #expect(current.stdout.contains(#""schema_version":"#))
    }

    @Test("purging every dead letter says how many and needs --yes; --dry-run lists them and deletes nothing")
    func purgeNeedsConfirmation() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        for _ in 0..<3 {
            try await store.enqueue(NewJob(queue: "q", kind: "k", maxAttempts: 1))
        }
        // A lease far longer than the test: a loaded machine must not let it lapse between the claim and the fails.
        for job in try await store.claim(queues: ["q"], limit: 3, leaseDuration: .seconds(600), workerID: "t") {
            try await store.fail(job.lease, error: "provider said 401", retryable: false)
        }
        for selection in [["--all"], ["--older-than", "0s"]] {
            let refused = try await SwitchboardProcess.run(
                ["dlq", "purge"] + selection, database: directory.databasePath)
            #expect(refused.status == 64)
            #expect(refused.stderr.contains("delete 3 dead letters"), "\(refused.stderr)")
            #expect(refused.stderr.contains("--yes"))
        }
        let dryRun = try await SwitchboardProcess.run(
            ["dlq", "purge", "--all", "--dry-run", "--json"], database: directory.databasePath
        )
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout.split(separator: "\n").count == 3)
        #expect(try await store.deadLetters().count == 3, "nothing was deleted before --yes")
        let purged = try await SwitchboardProcess.run(
            ["dlq", "purge", "--all", "--yes"], database: directory.databasePath)
        #expect(purged.stdout == "purged 3 dead letters\n")
        #expect(try await store.deadLetters().isEmpty)
    }
}
