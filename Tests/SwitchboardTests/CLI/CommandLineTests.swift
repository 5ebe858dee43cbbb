import ChatStore
import Foundation
import Queue
import Testing

/// The command line's answers to bad input: a clear message naming the problem, the right exit status,
/// and the database left as it was.
@Suite("Command-line input", .timeLimit(.minutes(3)))
struct CommandLineTests {
    @Test("an unknown flag is a usage error naming the flag")
    func unknownFlag() async throws {
        let directory = try TestDirectory()
        let result = try await SwitchboardProcess.run(
            ["enqueue", "--queue", "q", "--kind", "k", "--colour", "red"], database: directory.databasePath
        )
        #expect(result.status == 64)
        #expect(result.stderr.contains("--colour"))
        #expect(!FileManager.default.fileExists(atPath: directory.databasePath), "nothing was created")
    }

    @Test(
        "a missing required flag, a malformed value and a flag given a value are usage errors naming the flag",
        arguments: [
            (["enqueue", "--kind", "k", "--payload", "{}"], "--queue"),
            (["enqueue", "--queue", "q", "--kind", "k", "--priority", "high"], "--priority"),
            (["work", "--links", "open"], "--default-owner"),
            (["dlq", "redrive"], "--all"),
            (["jobs", "list", "--state", "sleeping"], "--state"),
            (["work", "--queues", " , "], "--queues"),
            (["work", "--links", "sometimes"], "--links"),
            (["link", "list", "--account", ""], "--account"),
            (["link", "resolve", "--platform", "slack", "--server-id", "T1", "--type", "user"], "--type"),
            (["work", "--drain=yes"], "--drain"),
        ])
    func usageErrors(arguments: [String], flag: String) async throws {
        let directory = try TestDirectory()
        let result = try await SwitchboardProcess.run(arguments, database: directory.databasePath)
        #expect(result.status == 64)
        #expect(result.stderr.contains(flag), "\(result.stderr)")
    }

    @Test("malformed JSON is bad data, and nothing is written")
    func malformedPayload() async throws {
        let directory = try TestDirectory()
        let good = try await SwitchboardProcess.run(
            ["enqueue", "--queue", "q", "--kind", "k", "--payload", #"{"ok":true}"#], database: directory.databasePath
        )
        #expect(good.status == 0)
        let bad = try await SwitchboardProcess.run(
            ["enqueue", "--queue", "q", "--kind", "k", "--payload", #"{"ok":"#], database: directory.databasePath
        )
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("payload"))
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        #expect(try await store.jobs().count == 1)
    }

    @Test(
        "a bad line in a batch names the line and field, and no line of the batch is written",
        arguments: [
            (#"{"kind":"k","payload":{}}"# + "\n" + #"{"kind":"k","payload":{"#, "line 2: not valid JSON"),
            (
                #"{"kind":"k"}"# + "\n" + #"{"kind":"k","payload":{"a":1,}}"#,
                "line 2: not valid JSON at column 30: expected a member name in quotes"
            ),
            (
                #"{"kind":"k"}"# + "\n" + #"{"kind":"k","priority":"high"}"#,
                #"line 2: "priority" must be a whole number"#
            ),
            (#"{"kind":"k"}"# + "\n\n" + #"{"payload":{}}"#, #"line 3: "kind" is missing"#),
            (#"{"kind":"k","colour":"red"}"#, #"line 1: "colour" is not a known field"#),
            (#"["kind"]"#, "line 1: must be a JSON object"),
            (#"{"kind":"k","max_attempts":0}"#, #"line 1: "max_attempts" must be a whole number from 1"#),
        ])
    func badBatchLine(input: String, message: String) async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let result = try await SwitchboardProcess.run(
            ["enqueue", "--batch", "--queue", "q"], database: directory.databasePath, stdin: input
        )
        #expect(result.status == 65)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(try await store.jobs().isEmpty)
    }

    @Test("a file that is not a database is refused with an I/O status and left untouched")
    func notADatabase() async throws {
        let directory = try TestDirectory()
        let path = directory.path("notes.txt")
        let text = Data(String(repeating: "shopping list\n", count: 200).utf8)
        try text.write(to: URL(fileURLWithPath: path))
        for arguments in [["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}"], ["stats"]] {
            let result = try await SwitchboardProcess.run(arguments, database: path)
            #expect(result.status == 74)
            #expect(result.stderr.contains("not a database"), "\(result.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == text)
    }

    @Test("a database in a read-only location is refused with an I/O status")
    func readOnlyLocation() async throws {
        let result = try await SwitchboardProcess.run(
            ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}"], database: "/proc/switchboard-test.db"
        )
        #expect(result.status == 74)
        #expect(
            result.stderr.contains("/proc/switchboard-test.db") || result.stderr.contains("unable to open"),
            "\(result.stderr)")
    }

    @Test("inspecting a database that does not exist is refused, and creates nothing")
    func missingDatabase() async throws {
        let directory = try TestDirectory()
        let result = try await SwitchboardProcess.run(["stats"], database: directory.databasePath)
        #expect(result.status == 69)
        #expect(result.stderr.contains("no database at"))
        #expect(!FileManager.default.fileExists(atPath: directory.databasePath))
    }

    @Test("the database path comes from --db, else SWITCHBOARD_DB, else ./switchboard.db")
    func databaseResolution() async throws {
        let directory = try TestDirectory()
        let fromEnvironment = directory.path("env.db")
        _ = try await SwitchboardProcess.run(
            ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}"],
            environment: ["SWITCHBOARD_DB": fromEnvironment], directory: directory.url
        )
        _ = try await SwitchboardProcess.run(
            ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}"], directory: directory.url
        )
        #expect(FileManager.default.fileExists(atPath: fromEnvironment))
        #expect(FileManager.default.fileExists(atPath: directory.path("switchboard.db")))
    }

    @Test(
        "every command answers --help with an example",
        arguments: [
            "enqueue", "work", "stats", "jobs list", "jobs show", "dlq list", "dlq show", "dlq redrive", "dlq purge",
            "demo", "intake", "connect code", "link token", "link status", "link confirm", "link list", "link delete",
            "link resolve", "bench queue", "bench intake", "bench pipeline", "fake-provider",
        ])
    func help(command: String) async throws {
        let result = try await SwitchboardProcess.run(command.split(separator: " ").map(String.init) + ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Examples:\n  switchboard \(command)"))
    }

    @Test("dead letters are listed, shown with their history, redriven and purged from the command line")
    func deadLetterCommands() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        var ids: [Int64] = []
        for _ in 0..<3 {
            ids.append(try await store.enqueue(NewJob(queue: "q", kind: "k", maxAttempts: 1)).jobID)
        }
        for job in try await store.claim(queues: ["q"], limit: 3, leaseDuration: .seconds(30), workerID: "t") {
            try await store.fail(job.lease, error: "provider said 401", retryable: false)
        }
        let list = try await SwitchboardProcess.run(["dlq", "list", "--json"], database: directory.databasePath)
        #expect(list.stdout.split(separator: "\n").count == 3)
        let show = try await SwitchboardProcess.run(["dlq", "show", String(ids[0])], database: directory.databasePath)
        #expect(show.stdout.contains("attempt 1 at"))
        #expect(show.stdout.contains("provider said 401"))
        let missing = try await SwitchboardProcess.run(["dlq", "show", "999"], database: directory.databasePath)
        #expect(missing.status == 65)

        let redrive = try await SwitchboardProcess.run(
            ["dlq", "redrive", String(ids[0]), "--json"], database: directory.databasePath
        )
        #expect(redrive.stdout.contains(#""redriven":1"#))
        #expect(try await store.job(id: ids[0])?.state == .ready)
        let purge = try await SwitchboardProcess.run(
            ["dlq", "purge", "--all", "--yes"], database: directory.databasePath)
        #expect(purge.stdout == "purged 2 dead letters\n")
        #expect(try await store.deadLetters().isEmpty)
    }
}
