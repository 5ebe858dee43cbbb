import Foundation
import Testing

/// `schedule add`, `list` and `remove` as an operator types them.
@Suite("Schedule commands", .timeLimit(.minutes(3)))
struct ScheduleCommandTests {
    @Test("add shows the next run, list shows every schedule, remove deletes; mistakes name the flag")
    func addListRemove() async throws {
        let directory = try TestDirectory()
        let db = directory.databasePath
        let add = ["schedule", "add", "nightly", "--cron", "30 2 * * *", "--timezone", "Europe/Berlin"]
        let added = try await SwitchboardProcess.run(add + ["--queue", "reports", "--kind", "make"], database: db)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("next run "))
        let again = try await SwitchboardProcess.run(add + ["--queue", "reports", "--kind", "make"], database: db)
        #expect(again.status == 65 && again.stderr.contains("--replace"))
        let replaced = try await SwitchboardProcess.run(
            add + ["--queue", "other", "--kind", "make", "--replace"], database: db)
        #expect(replaced.status == 0)
        let listed = try await SwitchboardProcess.run(["schedule", "list", "--json"], database: db)
        let record = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any]
        #expect(record?["queue"] as? String == "other" && record?["timezone"] as? String == "Europe/Berlin")
        let bad = try await SwitchboardProcess.run(
            ["schedule", "add", "x", "--cron", "* 25 * * *", "--queue", "q", "--kind", "k"], database: db)
        #expect(bad.status == 64 && bad.stderr.contains("hour field"), "\(bad.stderr)")
        let zone = try await SwitchboardProcess.run(
            [
                "schedule", "add", "x", "--cron", "* * * * *", "--timezone", "Nowhere/Here", "--queue", "q", "--kind",
                "k",
            ],
            database: db)
        #expect(zone.status == 64 && zone.stderr.contains("--timezone"))
        #expect(try await SwitchboardProcess.run(["schedule", "remove", "nightly"], database: db).status == 0)
        #expect(try await SwitchboardProcess.run(["schedule", "remove", "nightly"], database: db).status == 65)
        #expect(
            try await SwitchboardProcess.run(["schedule", "list"], database: db).stdout.contains("nightly") == false)
    }

    @Test("the zone is printed as given: UTC, not GMT")
    func zoneAsGiven() async throws {
        let directory = try TestDirectory()
        let db = directory.databasePath
        let added = try await SwitchboardProcess.run(
            ["schedule", "add", "hourly", "--cron", "0 * * * *", "--queue", "q", "--kind", "k"], database: db)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("(UTC); next run "), "\(added.stdout)")
        let listed = try await SwitchboardProcess.run(["schedule", "list"], database: db)
        #expect(listed.stdout.split(separator: "\n").last?.contains(" UTC ") == true, "\(listed.stdout)")
        #expect(!listed.stdout.contains("GMT"), "\(listed.stdout)")
        let json = try await SwitchboardProcess.run(["schedule", "list", "--json"], database: db)
        let record = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(record?["timezone"] as? String == "UTC")
    }

    @Test(
        "an expression that can never run, or a name with a control character, is refused before the database",
        arguments: [
            (["never", "--cron", "0 0 30 2 *", "--queue", "q", "--kind", "k"], "--cron: day of month field"),
            (["apr31", "--cron", "0 0 31 4 *", "--queue", "q", "--kind", "k"], "never run"),
            (
                ["red\u{1B}[31m", "--cron", "0 * * * *", "--queue", "q", "--kind", "k"],
                "NAME: must not contain control"
            ),
            (["x", "--cron", "0 * * * *", "--queue", "q\tq", "--kind", "k"], "--queue: must not contain control"),
            (["x", "--cron", "0 * * * *", "--queue", "q", "--kind", "k\n"], "--kind: must not contain control"),
        ])
    func refused(arguments: [String], message: String) async throws {
        let directory = try TestDirectory()
        let result = try await SwitchboardProcess.run(
            ["schedule", "add"] + arguments, database: directory.databasePath)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.databasePath))
    }
}
