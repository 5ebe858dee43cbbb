import ChatStore
import Foundation
import Queue
import Testing

/// What an `--exec` command is given, and what of its output is kept: never Switchboard's credentials.
@Suite("Credentials and --exec commands", .timeLimit(.minutes(3)))
struct ExecSecretsTests {
    static let token = "xoxb-SECRET-exec-token-12345"

    private func runOne(_ command: String, environment: [String: String] = [:], arguments: [String] = [])
        async throws -> (store: JobStore, id: Int64, directory: TestDirectory)
    {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let id = try await store.enqueue(NewJob(queue: "q", kind: "k", maxAttempts: 1)).jobID
        let result = try await SwitchboardProcess.run(
            ["work", "--queue", "q", "--drain", "--exec", command] + arguments, database: directory.databasePath,
            environment: ["SWITCHBOARD_SLACK_BOT_TOKEN": Self.token].merging(environment) { _, new in new }
        )
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("SECRET"), "\(result.stderr)")
        return (store, id, directory)
    }

    @Test("a credential a command prints to stderr is masked in the stored error, as in the log")
    func stderrMasked() async throws {
        let (store, id, directory) = try await runOne("echo \"auth failed for \(Self.token)\" >&2; exit 65")
        let error = try await store.deadLetter(id: id).lastError ?? ""
        #expect(error.contains("xoxb***"), "\(error)")
        #expect(!error.contains("SECRET"))
        let show = try await SwitchboardProcess.run(["dlq", "show", String(id)], database: directory.databasePath)
        #expect(!show.stdout.contains("SECRET"), "\(show.stdout)")
    }

    @Test("a credential cut by the stderr tail leaves no fragment behind")
    func cutTailDropsFragment() async throws {
        // 28 bytes of token, a space and 1,995 more: the kept 2,000-byte tail starts inside the token.
        let (store, id, _) = try await runOne(
            "printf '%s %s' \(Self.token) \"$(head -c 1995 /dev/zero | tr '\\0' y)\" >&2; exit 65"
        )
        let error = try await store.deadLetter(id: id).lastError ?? ""
        #expect(error.hasSuffix(String(repeating: "y", count: 1995)), "the tail itself is kept")
        #expect(!error.contains("2345"), "\(error.prefix(80))")
    }

    @Test("a command's environment holds none of Switchboard's credentials")
    func environmentWithoutCredentials() async throws {
        let directory = try TestDirectory()
        let config = directory.path("switchboard.json")
        try Data(#"{"providers": {"discord": {"bot_token": "config-SECRET-discord-token"}}}"#.utf8)
            .write(to: URL(fileURLWithPath: config))
        let dump = directory.path("environment.txt")
        let (store, id, _) = try await runOne(
            "env > \(dump)",
            environment: [
                "SWITCHBOARD_TELEGRAM_BOT_TOKEN": "123456:SECRET-telegram", "MY_DISCORD": "config-SECRET-discord-token",
                "UNRELATED": "kept",
            ],
            arguments: ["--config", config]
        )
        #expect(try await store.job(id: id) == nil, "the command ran and completed")
        let environment = try String(contentsOfFile: dump, encoding: .utf8)
        #expect(!environment.contains("SECRET"), "\(environment)")
        #expect(!environment.contains("SWITCHBOARD_SLACK_BOT_TOKEN"))
        #expect(environment.contains("UNRELATED=kept"))
        #expect(environment.contains("SWITCHBOARD_JOB_ID=\(id)"))
        #expect(environment.contains("PATH="))
    }
}
