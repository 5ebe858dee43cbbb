import ChatStore
import Foundation
import JSON
import Queue
import Testing

/// The PostgreSQL password: masked in every output, kept from `--exec` commands, given through a file
/// instead of the command line, and warned about when it is on the command line anyway.
@Suite(
    "The database password", .enabled(if: TestPostgres.enabled, "PostgreSQL's programs are not installed"),
    .timeLimit(.minutes(2)))
struct DatabasePasswordTests {
    static let password = "pa55-Word-secret"

    /// A new database on the run's shared server, its URL carrying `password` (the server trusts local
    /// connections, so any password is accepted; none may ever be shown).
    private func databaseWithPassword() async throws -> String {
        guard case .postgres(let url) = try await TestPostgres.newDatabase() else { return "" }
        return url + "&password=" + Self.password
    }

    @Test("an --exec command's environment holds no database credential: no password, PGPASSWORD or PGPASSFILE")
    func execEnvironment() async throws {
        let url = try await databaseWithPassword()
        let store = try await SwitchboardDatabase.open(StoreLocation(url))
        let id = try await store.enqueue(NewJob(queue: "q", kind: "k", maxAttempts: 1)).jobID
        let directory = try TestDirectory()
        let dump = directory.path("environment.txt")
        let result = try await SwitchboardProcess.run(
            ["work", "--queue", "q", "--drain", "--exec", "env > \(dump)"],
            environment: [
                "SWITCHBOARD_DB": url, "PGPASSWORD": Self.password, "PGPASSFILE": directory.path("pgpass"),
                "KEPT": "yes",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try await store.job(id: id) == nil, "the command ran and completed the job")
        let environment = try String(contentsOfFile: dump, encoding: .utf8)
        #expect(!environment.contains(Self.password), "\(environment)")
        #expect(!environment.contains("PGPASSWORD"))
        #expect(!environment.contains("PGPASSFILE"))
        #expect(!environment.contains("SWITCHBOARD_DB="), "the URL holding the password is not passed on")
        #expect(environment.contains("KEPT=yes"))
        #expect(!(result.stdout + result.stderr).contains(Self.password))
    }

    @Test("the password a failing command prints is masked in the stored error and in the worker's log")
    func failureMasked() async throws {
        let url = try await databaseWithPassword()
        let store = try await SwitchboardDatabase.open(StoreLocation(url))
        let id = try await store.enqueue(NewJob(queue: "q", kind: "k", maxAttempts: 1)).jobID
        // The command echoes the password as a careless script might, straight and JSON-quoted.
        let command = "echo \"cannot sign in with \(Self.password)\" >&2; exit 65"
        for json in [false, true] {
            if json {
                _ = try await store.runNow(jobID: id)
            }
            let result = try await SwitchboardProcess.run(
                ["work", "--queue", "q", "--drain", "--exec", command] + (json ? ["--json"] : []),
                environment: ["SWITCHBOARD_DB": url])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("dead-lettered") || result.stderr.contains("dead_lettered"))
            #expect(result.stderr.contains("cannot sign in with ***"), "\(result.stderr)")
            #expect(!result.stderr.contains(Self.password), "\(result.stderr)")
            let error = try await store.deadLetter(id: id).lastError ?? ""
            #expect(error.contains("cannot sign in with ***"), "\(error)")
            #expect(!error.contains(Self.password))
        }
    }

    @Test("a malformed URL is refused (78) without quoting its password, by a command and by a worker")
    func malformedURL() async throws {
        let directory = try TestDirectory()
        let url = "postgresql://ada:\(Self.password)%zz@/nowhere?host=\(directory.url.path)"
        for command in [["stats"], ["work", "--exec", "true"]] {
            let result = try await SwitchboardProcess.run(command, environment: ["SWITCHBOARD_DB": url])
            #expect(result.status == 78, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("percent-encoded"), "\(result.stderr)")
            #expect(!result.stderr.contains(Self.password), "\(result.stderr)")
        }
    }

    @Test("a password on the command line is warned about once; one in the environment is not")
    func commandLineWarning() async throws {
        let url = try await databaseWithPassword()
        let flag = try await SwitchboardProcess.run(["migrate", "--db", url])
        #expect(flag.status == 0, "\(flag.stderr)")
        #expect(flag.stderr.components(separatedBy: "password is on the command line").count == 2, "\(flag.stderr)")
        #expect(!(flag.stdout + flag.stderr).contains(Self.password))
        let environment = try await SwitchboardProcess.run(["stats"], environment: ["SWITCHBOARD_DB": url])
        #expect(environment.status == 0, "\(environment.stderr)")
        #expect(!environment.stderr.contains("command line"), "\(environment.stderr)")
    }

    @Test("a password file signs in to a server that asks for a password: flag, environment or configuration")
    func passwordFile() async throws {
        let server = try await PrivatePostgres(password: "file-Secret:9/x")
        try await server.start()
        let directory = try TestDirectory()
        let file = directory.path("db-password")
        try Data("file-Secret:9/x\n".utf8).write(to: URL(fileURLWithPath: file))
        let url = server.url()

        let without = try await SwitchboardProcess.run(["migrate"], environment: ["SWITCHBOARD_DB": url])
        #expect(without.status == 78, "no password is a setting to fix: \(without.stderr)")
        let flag = try await SwitchboardProcess.run(
            ["migrate", "--db-password-file", file], environment: ["SWITCHBOARD_DB": url])
        #expect(flag.status == 0, "\(flag.stderr)")
        let enqueued = try await SwitchboardProcess.run(
            ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}"],
            environment: ["SWITCHBOARD_DB": url, "SWITCHBOARD_DB_PASSWORD_FILE": file])
        #expect(enqueued.status == 0, "\(enqueued.stderr)")

        let config = directory.path("switchboard.json")
        let settings: JSONObject = ["database": url, "database_password_file": file]
        try JSONValue.object(settings).serialized.write(to: URL(fileURLWithPath: config))
        let stats = try await SwitchboardProcess.run(["stats", "--json", "--config", config])
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(stats.stdout.contains(#""q":{"#) && stats.stdout.contains(#""ready":1"#), "\(stats.stdout)")

        let dump = directory.path("environment.txt")
        let work = try await SwitchboardProcess.run(
            ["work", "--queue", "q", "--drain", "--config", config, "--exec", "env > \(dump)"],
            environment: ["SWITCHBOARD_DB_PASSWORD_FILE": file])
        #expect(work.status == 0, "\(work.stderr)")
        let environment = try String(contentsOfFile: dump, encoding: .utf8)
        #expect(!environment.contains("file-Secret"))
        #expect(!environment.contains("SWITCHBOARD_DB_PASSWORD_FILE"))

        try Data("wrong-password\n".utf8).write(to: URL(fileURLWithPath: file))
        let wrong = try await SwitchboardProcess.run(["stats", "--config", config])
        #expect(wrong.status == 78, "a wrong password is a setting to fix: \(wrong.stderr)")
        #expect(wrong.stderr.contains("28P01"), "\(wrong.stderr)")
        for result in [without, flag, enqueued, stats, work, wrong] {
            #expect(!(result.stdout + result.stderr).contains("file-Secret"))
        }
    }

    @Test("a password file that cannot be read, or a password given twice, is refused (78) naming the file")
    func passwordFileRefused() async throws {
        let url = try await databaseWithPassword()
        let directory = try TestDirectory()
        let missing = directory.path("no-such-file")
        let unreadable = try await SwitchboardProcess.run(
            ["stats", "--db-password-file", missing],
            environment: ["SWITCHBOARD_DB": url.replacing("&password=" + Self.password, with: "")])
        #expect(unreadable.status == 78)
        #expect(unreadable.stderr.contains(missing), "\(unreadable.stderr)")
        let file = directory.path("db-password")
        try Data("another\n".utf8).write(to: URL(fileURLWithPath: file))
        let twice = try await SwitchboardProcess.run(
            ["stats", "--db-password-file", file], environment: ["SWITCHBOARD_DB": url])
        #expect(twice.status == 78)
        #expect(twice.stderr.contains("given twice"), "\(twice.stderr)")
        #expect(!twice.stderr.contains(Self.password))
    }
}
