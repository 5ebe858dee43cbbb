import ChatStore
import Foundation
import Harness
import JSON
import Queue
import Testing

/// Switchboard's commands and workers on PostgreSQL through a transaction-mode PgBouncer, which hands a
/// server connection to another client after every transaction: nothing they set may stay on it, and
/// their wake-ups must still arrive.
@Suite(
    "PostgreSQL behind PgBouncer", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: TestPgBouncer.enabled, "PgBouncer or PostgreSQL's programs are not installed"))
struct PgBouncerTests {
    /// The session settings a store has needed, which a pooler would carry from one client to the next.
    private static let watched = [
        "default_transaction_read_only", "synchronous_commit", "lock_timeout", "statement_timeout", "search_path",
    ]

    /// What a new client is shown on each of the pooler's server connections for the database: holding
    /// `TestPgBouncer.poolSize` transactions open at once, the clients are handed every one of them. Each
    /// entry is the watched settings and the channels the server connection listens on.
    private static func serverSessions(_ pooled: StoreLocation) throws -> [String] {
        let clients = try (0..<TestPgBouncer.poolSize).map { _ in try PGConnection(url: pooled.connectionText) }
        for client in clients {
            try client.execute("BEGIN")
        }
        defer {
            for client in clients {
                _ = try? client.execute("ROLLBACK")
            }
        }
        var backends: Set<Int64> = []
        let sessions = try clients.map { client in
            backends.insert(try client.execute("SELECT pg_backend_pid()").first { $0.int64(0) } ?? 0)
            return try session(client)
        }
        #expect(backends.count == TestPgBouncer.poolSize, "every server connection of the pool was looked at")
        return sessions
    }

    /// The watched settings as a client on `connection` sees them, and what the connection listens on.
    private static func session(_ connection: PGConnection) throws -> String {
        let settings = try watched.map { name in
            "\(name)="
                + (try connection.execute("SELECT current_setting($1)", [.text(name)]).first { $0.text(0) } ?? "")
        }
        let channels =
            try connection.execute("SELECT coalesce(string_agg(c, ','), '') FROM pg_listening_channels() AS c")
            .first { $0.text(0) } ?? ""
        return (settings + ["listening=\(channels)"]).joined(separator: " ")
    }

    @Test(
        "after each kind of command and a worker's run through the pooler, each server connection shows a new client the server's defaults"
    )
    func noSessionStateLeaks() async throws {
        let directory = try TestDirectory()
        let (direct, pooled) = try await TestPgBouncer.newDatabase()
        let defaults = try Self.session(PGConnection(url: direct.connectionText))
        let environment = ["SWITCHBOARD_DB": pooled.connectionText]
        let commands: [[String]] = [
            ["migrate"],
            [
                "enqueue", "--queue", "q", "--kind", "k", "--payload", "{}", "--durability", "normal", "--lock-timeout",
                "5s",
            ],
            ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}"],
            ["stats"], ["jobs", "list"], ["dlq", "list"], ["workers"],
            ["queues", "pause", "q"], ["queues", "resume", "q"],
            [
                "work", "--queue", "q", "--concurrency", "2", "--drain", "--durability", "normal", "--exec",
                "touch \(directory.path("ran"))",
            ],
            ["stats", "--json"],
        ]
        for command in commands {
            let result = try await SwitchboardProcess.run(command, environment: environment)
            #expect(result.status == 0, "\(command.joined(separator: " ")): \(result.stderr)")
            for session in try Self.serverSessions(pooled) {
                #expect(session == defaults, "after \(command.joined(separator: " "))")
            }
        }
        #expect(FileManager.default.fileExists(atPath: directory.path("ran")), "the worker ran the jobs")
    }

    @Test(
        "a store through the pooler runs read-only commands in read-only transactions, and refuses writes through them")
    func readOnlyStoreThroughThePooler() async throws {
        let (_, pooled) = try await TestPgBouncer.newDatabase()
        _ = try await SwitchboardDatabase.open(pooled, options: StoreOptions())
        var options = StoreOptions()
        options.access = .readOnly
        let reader = try await SwitchboardDatabase.open(pooled, options: options)
        #expect(try await reader.stats().totals.values.reduce(0, +) == 0)
        await #expect(throws: (any Error).self) { try await reader.enqueue(NewJob(queue: "q", kind: "k")) }
        // Right after the reader, writers through the same pool are unaffected.
        let writer = try await SwitchboardDatabase.open(pooled, options: StoreOptions())
        for _ in 0..<20 {
            try await writer.enqueue(NewJob(queue: "q", kind: "k"))
        }
        #expect(try await writer.stats().totals[.ready] == 20)
    }

    @Test(
        "without a listen connection, a worker through the pooler says in its log and in `switchboard workers` that it polls, and still runs its jobs"
    )
    func pollingIsSaid() async throws {
        let directory = try TestDirectory()
        let (_, pooled) = try await TestPgBouncer.newDatabase()
        let environment = ["SWITCHBOARD_DB": pooled.connectionText]
        let worker = try SwitchboardProcess.start(
            ["work", "--queue", "q", "--exec", "touch \(directory.path("ran"))"], environment: environment)
        try await waitUntil("the worker says how it learns of work") {
            worker.errorOutputSoFar.contains("no notifications of new work")
        }
        #expect(worker.errorOutputSoFar.contains("connection pooler"))
        let listed = try await SwitchboardProcess.run(["workers", "--json"], environment: environment)
        let row = try JSONParser.parse(Data(listed.stdout.utf8)).objectValue
        #expect(row?["wakeups"]?.stringValue == "polling")
        #expect(row?["wakeups_reason"]?.stringValue?.contains("--db-listen") == true)
        let text = try await SwitchboardProcess.run(["workers"], environment: environment)
        #expect(text.stdout.contains("polls: the listen connection goes through a connection pooler"))
        let enqueued = try await SwitchboardProcess.run(
            ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}"], environment: environment)
        #expect(enqueued.status == 0)
        try await waitUntil("the job ran") { FileManager.default.fileExists(atPath: directory.path("ran")) }
        worker.terminate()
        #expect(await worker.finish().status == 0)
    }

    @Test(
        "with a direct listen connection, a worker whose statements go through the pooler hears notifications, says so, and runs its jobs"
    )
    func workerHearsThroughTheListenConnection() async throws {
        let directory = try TestDirectory()
        let (direct, pooled) = try await TestPgBouncer.newDatabase()
        let environment = [
            "SWITCHBOARD_DB": pooled.connectionText, "SWITCHBOARD_DB_LISTEN": direct.connectionText,
        ]
        let worker = try SwitchboardProcess.start(
            ["work", "--queue", "q", "--exec", "touch \(directory.path("ran"))"], environment: environment)
        try await waitUntil("the worker hears notifications") {
            worker.errorOutputSoFar.contains("new work is noticed by notifications")
        }
        let listed = try await SwitchboardProcess.run(["workers", "--json"], environment: environment)
        #expect(try JSONParser.parse(Data(listed.stdout.utf8)).objectValue?["wakeups"]?.stringValue == "notifications")
        let enqueued = try await SwitchboardProcess.run(
            ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}"], environment: environment)
        #expect(enqueued.status == 0)
        try await waitUntil("the job ran") { FileManager.default.fileExists(atPath: directory.path("ran")) }
        worker.terminate()
        #expect(await worker.finish().status == 0)
    }

    @Test("a job enqueued through the pooler moves the change counter of a store listening directly, once per commit")
    func notificationsArriveThroughTheListenConnection() async throws {
        let (direct, pooled) = try await TestPgBouncer.newDatabase()
        var options = StoreOptions()
        options.postgresListenURL = direct.connectionText
        let listening = try await SwitchboardDatabase.open(pooled, options: options)
        try await waitUntil("the listen connection heard itself") {
            try await listening.changeCounters().wakeups == .notifications
        }
        let writer = try await SwitchboardDatabase.open(pooled, options: StoreOptions())
        for round in 1...5 {
            let before = try await listening.changeCounters().work
            try await writer.enqueue(NewJob(queue: "q", kind: "k"))
            // Hearing the commit's notification moves the counter by one; a timer would move it on its own.
            try await waitUntil("commit \(round)'s notification arrived", timeout: .seconds(5)) {
                try await listening.changeCounters().work > before
            }
            #expect(try await listening.changeCounters().work == before + 1)
        }
    }

    @Test(
        "a listen connection that goes through the pooler too is refused for listening: the store polls, and says why")
    func listenThroughThePoolerIsRefused() async throws {
        let (_, pooled) = try await TestPgBouncer.newDatabase()
        var options = StoreOptions()
        options.postgresListenURL = pooled.connectionText
        let store = try await SwitchboardDatabase.open(pooled, options: options)
        try await waitUntil("the store has judged its listen connection") {
            try await store.changeCounters().wakeups != .starting
        }
        guard case .polling(let reason) = try await store.changeCounters().wakeups else {
            Issue.record("a listen connection through the pooler was trusted")
            return
        }
        #expect(reason.contains("connection pooler"))
        for session in try Self.serverSessions(pooled) {
            #expect(session.hasSuffix("listening="), "no LISTEN was left on the pooler's server connections")
        }
    }
}
