import ChatStore
import Foundation
import Queue
import Testing

/// What every command shares: --version, group help, global options before the command, errors as JSON,
/// a strict configuration, log events a machine can read, and wording a person can.
@Suite("Command-line conventions", .timeLimit(.minutes(3)))
struct ConventionsTests {
    private func jsonObject(_ line: some StringProtocol) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    private func deadLetters(_ count: Int, in store: JobStore, error: String = "provider said 401") async throws
        -> [Int64]
    {
        var ids: [Int64] = []
        for _ in 0..<count {
            ids.append(try await store.enqueue(NewJob(queue: "q", kind: "k", maxAttempts: 1)).jobID)
        }
        for job in try await store.claim(queues: ["q"], limit: count, leaseDuration: .seconds(30), workerID: "t") {
            try await store.fail(job.lease, error: error, retryable: false)
        }
        return ids
    }

    @Test("--version prints the version")
    func version() async throws {
        let result = try await SwitchboardProcess.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.firstMatch(of: /^switchboard \d+\.\d+\.\d+\n$/) != nil, "\(result.stdout)")
    }

    @Test(
        "a command group's --help lists its commands",
        arguments: [
            ("jobs", ["jobs list", "jobs show"]), ("dlq", ["dlq list", "dlq show", "dlq redrive", "dlq purge"]),
            ("link", ["link token", "link confirm", "link resolve"]), ("connect", ["connect code"]),
            ("bench", ["bench queue", "bench intake", "bench pipeline"]), ("config", ["config check"]),
        ])
    func groupHelp(group: String, commands: [String]) async throws {
        let result = try await SwitchboardProcess.run([group, "--help"])
        #expect(result.status == 0, "\(result.stderr)")
        for command in commands {
            #expect(result.stdout.contains("  \(command) "), "\(result.stdout)")
        }
        #expect(!result.stdout.contains("bench worker"), "internal commands stay unlisted")
    }

    @Test("global options may come before the command")
    func globalOptionsFirst() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        try await store.enqueue(NewJob(queue: "q", kind: "k"))
        let result = try await SwitchboardProcess.run(["--db", directory.databasePath, "--json", "stats"])
        #expect(result.status == 0, "\(result.stderr)")
        let stats = try jsonObject(result.stdout)
        #expect((stats["queues"] as? [String: Any])?["q"] != nil)
    }

    @Test(
        "with --json an error is one JSON object on stderr: a stable code, the web status where one applies",
        arguments: [
            (
                ["link", "confirm", String(repeating: "a", count: 43), "--account", "acct_1", "--json"], "not_found",
                404, 65
            ),
            (["link", "confirm", "%%", "--account", "acct_1", "--json"], "malformed_token", 422, 65),
            (["--json", "stats"], "database_missing", nil, 69),
            (["enqueue", "--json", "--colour", "red"], "usage", nil, 64),
            (["--json", "frobnicate"], "usage", nil, 64),
        ])
    func jsonErrors(arguments: [String], code: String, httpStatus: Int?, exitStatus: Int32) async throws {
        let directory = try TestDirectory()
        if arguments.contains("link") {
            _ = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        }
        let result = try await SwitchboardProcess.run(arguments, database: directory.databasePath)
        #expect(result.status == exitStatus, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        try #require(lines.count == 1, "\(result.stderr)")
        let error = try jsonObject(lines[0])
        #expect(error["error"] as? String == code)
        #expect(error["http_status"] as? Int == httpStatus)
        #expect(error["exit_status"] as? Int == Int(exitStatus))
        #expect((error["message"] as? String)?.isEmpty == false)
    }

    @Test("the demo answers --json with one object")
    func demoJSON() async throws {
        let result = try await SwitchboardProcess.run(["demo", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try jsonObject(result.stdout)
        let database = try #require(summary["database"] as? String)
        defer { try? FileManager.default.removeItem(atPath: (database as NSString).deletingLastPathComponent) }
        let replies = try #require(summary["replies"] as? [[String: Any]])
        #expect(summary["telegram_owner"] as? String == "acct_demo")
        // Streamed: an answer is sent, then edited in place to its final text.
        let sentIDs = Set(replies.compactMap { $0["message_id"] as? String })
        let edited = replies.filter { ($0["edit"] as? String).map(sentIDs.contains) == true }
        #expect(!edited.isEmpty, "\(replies)")
        #expect(edited.allSatisfy { ($0["text"] as? String)?.hasPrefix("echo: ") == true })
    }

    @Test(
        "a configuration that cannot be read is an I/O error; one with a wrong key names the key's path",
        arguments: [
            (nil, 74, "cannot read the configuration file"),
            (#"{"pacing": true, "pacin": false}"#, 65, "pacin is not a known setting"),
            (
                #"{"providers": {"telegram": {"bot_tokn": "x"}}}"#, 65,
                "providers.telegram.bot_tokn is not a known setting"
            ),
            (#"{"providers": {"telegramm": {}}}"#, 65, "providers.telegramm is not a known provider"),
            (#"{"history_limit": "20"}"#, 65, "history_limit must be a number"),
            (#"{"links": {"mode": "open"}}"#, 65, "links.default_owner is missing"),
            (#"{"request_timeout": 1e300}"#, 65, "request_timeout must be a number of seconds"),
        ])
    func configurationChecked(contents: String?, status: Int32, message: String) async throws {
        let directory = try TestDirectory()
        let file = directory.path("switchboard.json")
        if let contents {
            try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
        }
        for command in [["work", "--config", file], ["config", "check", file]] {
            let result = try await SwitchboardProcess.run(command, database: directory.databasePath)
            #expect(result.status == status, "\(command): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
        #expect(
            !FileManager.default.fileExists(atPath: directory.databasePath),
            "the worker stopped before opening the database")
    }

    @Test("a worker's JSON log events carry their time, level, pid and version")
    func jsonLogEvents() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        try await store.enqueue(NewJob(queue: "q", kind: "k"))
        let worker = try SwitchboardProcess.start(
            ["work", "--queue", "q", "--exec", "true", "--drain", "--verbose", "--json"],
            database: directory.databasePath
        )
        let result = await worker.finish()
        #expect(result.status == 0, "\(result.stderr)")
        let events = try result.stderr.split(separator: "\n").map(jsonObject)
        // How it notices work is said once, when first known: at some point between start and stop.
        #expect(
            events.map { $0["event"] as? String }.filter { $0 != "wakeups" } == [
                "started", "settled", "drained", "stopped",
            ])
        #expect(events.filter { $0["event"] as? String == "wakeups" }.map { $0["wakeups"] as? String } == ["local"])
        for event in events {
            let time = try #require(event["time"] as? String)
            #expect(time.firstMatch(of: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) != nil, "\(time)")
            #expect(event["level"] as? String == "info")
            #expect(event["pid"] as? Int == Int(worker.pid))
            #expect((event["version"] as? String)?.isEmpty == false)
        }
    }

    @Test("with --json, serve's and poll's log lines are JSON events like a worker's")
    func serveAndPollJSONLogs() async throws {
        let directory = try TestDirectory()
        let server = try await TestServer(database: directory.databasePath)
        server.child.signal(SIGTERM)
        let served = await server.child.finish()
        #expect(served.status == 0, "\(served.stderr)")

        let fake = try await FakeProvider()
        defer { fake.stop() }
        let config = try PollTests.configuration(fake, in: directory)
        let polled = try await SwitchboardProcess.run(
            ["--json", "poll", "--provider", "telegram", "--config", config, "--poll-timeout", "0", "--drain"],
            database: directory.databasePath)
        #expect(polled.status == 0, "\(polled.stderr)")

        for (finished, pid, expected) in [
            (served, server.child.pid, ["stopping", "stopped"]), (polled, nil, ["started"]),
        ] {
            let events = try finished.stderr.split(separator: "\n").map(jsonObject)
            #expect(events.map { $0["event"] as? String } == expected, "\(finished.stderr)")
            for event in events {
                let time = try #require(event["time"] as? String)
                #expect(time.firstMatch(of: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) != nil, "\(time)")
                #expect(event["level"] as? String == "info")
                #expect(pid == nil || event["pid"] as? Int == pid.map(Int.init))
                #expect((event["version"] as? String)?.isEmpty == false)
            }
        }
    }

    @Test("enqueue says which job it enqueued, and a duplicate which job holds the key")
    func enqueueWording() async throws {
        let directory = try TestDirectory()
        let arguments = ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}", "--dedupe-key", "once"]
        let first = try await SwitchboardProcess.run(arguments, database: directory.databasePath)
        #expect(first.stdout == "enqueued job 1\n")
        let again = try await SwitchboardProcess.run(arguments, database: directory.databasePath)
        #expect(again.stdout == "duplicate: job 1 holds that dedupe key\n")
    }

    @Test("a dead-letter command names a job that does not exist, and one that is not dead")
    func noSuchJob() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let live = try await store.enqueue(NewJob(queue: "q", kind: "k")).jobID
        let missing = try await SwitchboardProcess.run(["dlq", "redrive", "999"], database: directory.databasePath)
        #expect(missing.status == 65)
        #expect(missing.stderr.contains("there is no job 999"), "\(missing.stderr)")
        let notDead = try await SwitchboardProcess.run(["dlq", "show", String(live)], database: directory.databasePath)
        #expect(notDead.stderr.contains("job \(live) is ready, not a dead letter"), "\(notDead.stderr)")
    }

    @Test("dlq list shows the reason, and marks an error it cut")
    func deadLetterList() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        _ = try await deadLetters(1, in: store, error: String(repeating: "the provider refused the request ", count: 5))
        let result = try await SwitchboardProcess.run(["dlq", "list"], database: directory.databasePath)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first?.contains("reason") == true, "\(result.stdout)")
        #expect(lines.last?.contains("non_retryable") == true, "\(result.stdout)")
        #expect(lines.last?.hasSuffix("…") == true, "\(result.stdout)")
    }

    @Test("jobs list filters by kind, and says when it stopped at its limit")
    func jobsListLimitAndKind() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        for kind in ["mail", "mail", "report"] {
            try await store.enqueue(NewJob(queue: "q", kind: kind))
        }
        let limited = try await SwitchboardProcess.run(
            ["jobs", "list", "--limit", "1"], database: directory.databasePath)
        #expect(limited.stdout.split(separator: "\n").count == 2, "a header and one job: \(limited.stdout)")
        #expect(limited.stderr.contains("stopped at --limit 1"), "\(limited.stderr)")
        let reports = try await SwitchboardProcess.run(
            ["jobs", "list", "--kind", "report", "--json"], database: directory.databasePath)
        #expect(reports.stdout.split(separator: "\n").map { try? jsonObject($0)["kind"] as? String } == ["report"])
        #expect(reports.stderr.isEmpty, "no limit reached: \(reports.stderr)")
    }

    @Test("a paced redrive reports its progress, and Ctrl-C stops it saying how many were redriven")
    func redriveProgressAndInterrupt() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        // Enough that at one a second the test has many seconds to see the first and interrupt the rest,
        // however slowly a loaded machine lets it poll.
        let total = 20
        _ = try await deadLetters(total, in: store)
        let redrive = try SwitchboardProcess.start(
            ["dlq", "redrive", "--all", "--rate", "1"], database: directory.databasePath)
        try await waitUntil("the first batch is redriven") { try await store.deadLetters().count < total }
        redrive.signal(SIGINT)
        let result = await redrive.finish()
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stderr.contains("redrove 1 of \(total) dead letters"), "\(result.stderr)")
        let left = try await store.deadLetters().count
        #expect(
            result.stdout.contains("interrupted: redrove \(total - left) of \(total) dead letters"), "\(result.stdout)")
        #expect(left > 0, "stopped before the end")
    }
}
