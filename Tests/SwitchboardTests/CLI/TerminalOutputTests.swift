import ChatStore
import Foundation
import Queue
import Testing

/// What reaches an operator's terminal: control characters from stored values are shown escaped, never
/// sent, and names with control characters are refused where they come in.
@Suite("Terminal output", .timeLimit(.minutes(3)))
struct TerminalOutputTests {
    static let escape = "\u{1B}"

    @Test(
        "a stored error's escape sequences and carriage returns are printed escaped by dlq show, dlq list and jobs show"
    )
    func storedErrorEscaped() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let id = try await store.enqueue(NewJob(queue: "q", kind: "k", maxAttempts: 1)).jobID
        let error = "\(Self.escape)[31mred\(Self.escape)[0m and\rforged\u{7}\nsecond line"
        for job in try await store.claim(queues: ["q"], limit: 1, leaseDuration: .seconds(30), workerID: "t") {
            try await store.fail(job.lease, error: error, retryable: false)
        }
        for command in [
            ["dlq", "show", String(id)], ["dlq", "list"], ["jobs", "show", String(id)], ["jobs", "list"],
        ] {
            let result = try await SwitchboardProcess.run(command, database: directory.databasePath)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            #expect(!result.stdout.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" })
            #expect(
                result.stdout.contains(#"\u{1B}[31mred\u{1B}[0m and\u{D}forged\u{7}"#), "\(command): \(result.stdout)")
        }
        let json = try await SwitchboardProcess.run(
            ["dlq", "show", String(id), "--json"], database: directory.databasePath)
        #expect(json.stdout.contains(#"\u001b[31mred"#), "JSON keeps its own escaping: \(json.stdout)")
    }

    @Test("a queue or kind name with a control character already stored does not break the stats or jobs table")
    func storedNamesEscaped() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        try await store.enqueue(NewJob(queue: "mail", kind: "welcome"))
        // As a database written before names were checked holds them.
        try RawSQLite.run(
            "UPDATE jobs SET queue = 'mail' || char(10) || 'x' || char(27) || '[2J', kind = 'wel' || char(9) || 'come'",
            at: directory.databasePath)
        for command in [["stats"], ["jobs", "list"]] {
            let result = try await SwitchboardProcess.run(command, database: directory.databasePath)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            #expect(!result.stdout.contains(Self.escape), "\(command): \(result.stdout)")
            #expect(result.stdout.contains(#"mail\u{A}x\u{1B}[2J"#), "\(command): \(result.stdout)")
            let rows = result.stdout.split(separator: "\n")
            #expect(rows.filter { $0.contains("mail") }.count == 1, "one row for the queue: \(result.stdout)")
        }
        let jobs = try await SwitchboardProcess.run(["jobs", "list"], database: directory.databasePath)
        #expect(jobs.stdout.contains(#"wel\u{9}come"#), "\(jobs.stdout)")
    }

    @Test(
        "a queue, kind or group name with a control character is refused, naming the field, and nothing is written",
        arguments: [
            (
                ["enqueue", "--queue", "q\u{1B}[31m", "--kind", "k", "--payload", "{}"], 65,
                "queue: must not contain control characters"
            ),
            (
                ["enqueue", "--queue", "q", "--kind", "k\n", "--payload", "{}"], 65,
                "kind: must not contain control characters"
            ),
            (
                ["enqueue", "--queue", "q", "--kind", "k", "--group", "g\u{7}", "--payload", "{}"], 65,
                "group: must not contain control characters"
            ),
            (
                ["intake", "--provider", "slack", "--queue", "chat\r"], 64,
                "--queue: must not contain control characters"
            ),
            (["queues", "pause", "q\u{1B}"], 64, "queue: must not contain control characters"),
        ])
    func namesRefused(arguments: [String], status: Int32, message: String) async throws {
        let directory = try TestDirectory()
        let result = try await SwitchboardProcess.run(arguments, database: directory.databasePath, stdin: "{}")
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.databasePath), "nothing was created")
    }

    @Test("a batch line's queue or kind with a control character names the line")
    func batchLineRefused() async throws {
        let directory = try TestDirectory()
        let result = try await SwitchboardProcess.run(
            ["enqueue", "--batch"], database: directory.databasePath,
            stdin: #"{"queue":"q","kind":"k"}"# + "\n" + #"{"queue":"q\u001b[2J","kind":"k"}"#)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("line 2: queue: must not contain control characters"), "\(result.stderr)")
    }
}
