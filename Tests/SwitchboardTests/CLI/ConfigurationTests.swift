import Foundation
import Testing
import Workers

/// The configuration as an operator meets it: `config check`, `work`, `serve` and `poll` refuse a file
/// that cannot work in the same way, naming the key (or variable) and never its value; the environment's
/// `SWITCHBOARD_*` variables count, and one Switchboard does not read is pointed out.
@Suite("Configuration checks", .timeLimit(.minutes(2)))
struct ConfigurationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let example = repository.appendingPathComponent("ops/switchboard.example.json").path
    /// A WeCom EncodingAESKey that is one (WeCom's documentation's example).
    static let weComKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"

    /// Every command that reads a configuration, reading `file`; each must exit by itself.
    static func readers(_ file: String) -> [[String]] {
        [
            ["config", "check", file],
            ["work", "--config", file, "--drain"],
            ["serve", "--config", file, "--listen", "127.0.0.1:0"],
            ["poll", "--provider", "telegram", "--config", file, "--drain"],
        ]
    }

    @Test("config check takes its file as the operand or as --config, as the other commands do; once")
    func configCheckTakesTheOption() async throws {
        let directory = try TestDirectory()
        let db = directory.databasePath
        let file = directory.path("switchboard.json")
        try Data(#"{"agent": "echo"}"#.utf8).write(to: URL(fileURLWithPath: file))
        let valid = try await SwitchboardProcess.run(["config", "check", "--config", file], database: db)
        #expect(valid.status == 0, "\(valid.stderr)")
        #expect(valid.stdout.contains("is valid"))
        let both = try await SwitchboardProcess.run(
            ["config", "check", file, "--config", directory.path("other.json")], database: db)
        #expect(both.status == 64 && both.stderr.contains("once"), "\(both.stderr)")
        let none = try await SwitchboardProcess.run(["config", "check"], database: db)
        #expect(none.status == 64 && none.stderr.contains("--config FILE"), "\(none.stderr)")
    }

    /// Runs a command that should exit at once; one still running after 20 s is killed and fails the test.
    static func runToExit(_ arguments: [String], database: String, environment: [String: String] = [:]) async throws
        -> (status: Int32, stderr: String)
    {
        let child = try SwitchboardProcess.start(arguments, database: database, environment: environment)
        do {
            try await waitUntil("\(arguments.prefix(2)) exits", timeout: .seconds(20)) { child.exitStatus != nil }
        } catch {
            child.signal(SIGKILL)
            Issue.record("\(arguments) kept running instead of refusing its configuration")
        }
        let finished = await child.finish()
        return (finished.status, finished.stderr)
    }

    @Test(
        "a configuration that cannot work is refused alike by config check, work, serve and poll, naming the key",
        arguments: [
            (#"{"providers": {"telegram": {"secret_token": "abc"}}}"#, "providers.telegram.bot_token is missing"),
            (
                #"{"providers": {"telegram": {"bot_token": "1:hunter2", "secret_token": "with spaces"}}}"#,
                "providers.telegram.secret_token must be 1 to 256 of the characters A-Z a-z 0-9 _ -"
            ),
            (
                #"{"providers": {"wecom": {"corp_id": "c", "corp_secret": "hunter2", "agent_id": "1", "token": "t", "encoding_aes_key": "SECRE"}}}"#,
                "providers.wecom.encoding_aes_key must be WeCom's EncodingAESKey: 43 characters of Base64"
            ),
            (#"{"agent": {"url": "not a url"}}"#, "agent.url must be an http:// or https:// URL with a host"),
            (
                #"{"links": {"link_base_url": "example.com/link"}}"#,
                "links.link_base_url must be an http:// or https://"
            ),
            (
                #"{"providers": {"slack": {"bot_token": "xoxb-hunter2", "base_url": "ftp://slack.com"}}}"#,
                "providers.slack.base_url must be an http:// or https:// URL"
            ),
            (#"{"dashboard": {"token": "hunter2"}}"#, "dashboard.token must be at least 32 characters"),
            (
                #"{"intake": {"token": "hunter2-but-31-characters-long."}}"#,
                "intake.token must be at least 32 characters"
            ),
            (
                #"{"providers": {"slack": {"bot_token": "xoxb-replace-me"}}}"#,
                "providers.slack.bot_token is still the example's placeholder"
            ),
            (#"{"providers": {"discord": {"bot_token": ""}}}"#, "providers.discord.bot_token is empty"),
            (#"{"providers": {"dingtalk": {"app_secret": "hunter2"}}}"#, "providers.dingtalk.app_key is missing"),
            (#"{"providers": {"feishu": {"app_id": "cli_1"}}}"#, "providers.feishu.app_secret is missing"),
            (
                #"{"providers": {"wecom": {"corp_id": "c", "corp_secret": "hunter2"}}}"#,
                "providers.wecom.agent_id is missing"
            ),
            (
                #"{"providers": {"wechat": {"base_url": "https://example.com"}}}"#,
                "providers.wechat.bot_token is missing"
            ),
            (
                #"{"providers": {"wecom": {"bot_secret": "hunter2", "socket_url": "wss://ws.example"}}}"#,
                "providers.wecom.bot_id is missing"
            ),
            (
                #"{"providers": {"wecom": {"bot_id": "b", "bot_secret": "hunter2", "socket_url": "http://ws.example"}}}"#,
                "providers.wecom.socket_url must be a ws:// or wss:// URL with a host"
            ),
            (
                #"{"providers": {"discord": {"bot_token": "hunter2", "intents": "all"}}}"#,
                "providers.discord.intents must be a whole number"
            ),
            ("{\n  \"pacing\": true,\n  \"history_limit\": 20,\n}\n", "invalid JSON at line 4, column 1"),
            ("{\"agent\": \"echo\", \"pacing\": tru}", "invalid JSON at line 1, column 29"),
            ("[\"pacing\"]", "must be a JSON object, not"),
        ])
    func refusedAlike(contents: String, message: String) async throws {
        let directory = try TestDirectory()
        let file = directory.path("switchboard.json")
        try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
        for command in Self.readers(file) {
            let result = try await Self.runToExit(command, database: directory.databasePath)
            #expect(result.status == 65, "\(command): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("hunter2"), "no value in the message: \(result.stderr)")
        }
        #expect(
            !FileManager.default.fileExists(atPath: directory.databasePath), "each stopped before opening the database")
    }

    @Test("a setting from the environment completes the file's, and a bad one is refused naming the variable")
    func environmentCounts() async throws {
        let directory = try TestDirectory()
        let file = directory.path("switchboard.json")
        try Data(#"{"providers": {"telegram": {"secret_token": "abc"}}}"#.utf8).write(to: URL(fileURLWithPath: file))
        let completed = try await SwitchboardProcess.run(
            ["config", "check", file], environment: ["SWITCHBOARD_TELEGRAM_BOT_TOKEN": "123456:hunter2"])
        #expect(completed.status == 0, "\(completed.stderr)")
        #expect(completed.stdout.contains("providers: telegram"), "\(completed.stdout)")
        for (variable, value, message) in [
            ("SWITCHBOARD_DASHBOARD_TOKEN", "hunter2", "must be at least 32 characters"),
            ("SWITCHBOARD_TELEGRAM_SECRET_TOKEN", "hunter2 token", "must be 1 to 256 of the characters"),
            ("SWITCHBOARD_SLACK_BASE_URL", "hunter2", "must be an http:// or https:// URL"),
        ] {
            for command in Self.readers(file) {
                let result = try await Self.runToExit(
                    command, database: directory.databasePath,
                    environment: ["SWITCHBOARD_TELEGRAM_BOT_TOKEN": "123456:hunter2", variable: value])
                #expect(result.status == 65, "\(command): \(result.stderr)")
                #expect(result.stderr.contains("\(variable) \(message)"), "\(command): \(result.stderr)")
                #expect(!result.stderr.contains("hunter2"), "\(result.stderr)")
            }
        }
    }

    @Test("the example configuration is refused for its placeholders, and passes once they are filled in")
    func exampleConfiguration() async throws {
        let refused = try await SwitchboardProcess.run(["config", "check", Self.example])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("is still the example's placeholder"), "\(refused.stderr)")

        let directory = try TestDirectory()
        let filled = directory.path("filled.json")
        let text = try String(contentsOfFile: Self.example, encoding: .utf8)
            .replacing("replacemereplacemereplacemereplacemereplace", with: Self.weComKey)
            .replacing("replace-me", with: "Filled-in-0123456789abcdef0123456789")
            .replacing("replace_me", with: "filled_in")
        try Data(text.utf8).write(to: URL(fileURLWithPath: filled))
        let passed = try await SwitchboardProcess.run(["config", "check", filled])
        #expect(passed.status == 0, "\(passed.stderr)")
        #expect(
            passed.stdout.contains("providers: dingtalk, discord, feishu, slack, telegram, wechat, wecom"),
            "\(passed.stdout)")
    }

    @Test("every command warns once about each SWITCHBOARD_ variable it does not read, naming it, not its value")
    func unknownVariables() async throws {
        let directory = try TestDirectory()
        let file = directory.path("switchboard.json")
        try Data("{}".utf8).write(to: URL(fileURLWithPath: file))
        let environment = [
            "SWITCHBOARD_TELEGRAM_BOT_TOKN": "123456:hunter2-value", "SWITCHBOARD_DATABASE": "hunter2.db",
            "SWITCHBOARD_JOB_ID": "7", "SWITCHBOARD_INTAKE_TOKEN": "hunter2-0123456789abcdef0123456789abcdef",
        ]
        for command in [
            ["config", "check", file], ["stats"], ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}"],
            ["--version"], ["schedule", "list"],
        ] {
            let result = try await SwitchboardProcess.run(
                command, database: directory.databasePath, environment: environment)
            let warnings = result.stderr.split(separator: "\n").filter { $0.contains("is not a variable") }
            #expect(
                warnings == [
                    "switchboard: warning: SWITCHBOARD_DATABASE is not a variable Switchboard reads; it is ignored",
                    "switchboard: warning: SWITCHBOARD_TELEGRAM_BOT_TOKN is not a variable Switchboard reads; it is ignored",
                ], "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("hunter2"), "\(result.stderr)")
        }
        let json = try await SwitchboardProcess.run(
            ["--json", "config", "check", file], environment: ["SWITCHBOARD_TELEGRAM_BOT_TOKN": "x"])
        let warning = try JSONSerialization.jsonObject(with: Data(json.stderr.utf8)) as? [String: Any]
        #expect(warning?["warning"] as? String == "unknown_variable", "\(json.stderr)")
        #expect(warning?["variable"] as? String == "SWITCHBOARD_TELEGRAM_BOT_TOKN")
    }

    @Test("every SWITCHBOARD_ variable the sources and documents name is one the warning knows")
    func variablesKnown() throws {
        let sources = try FileManager.default.subpathsOfDirectory(
            atPath: Self.repository.appendingPathComponent("Sources").path
        )
        .filter { $0.hasSuffix(".swift") }.map { "Sources/" + $0 }
        var named: [String: String] = [:]
        for file in sources + ["README.md", "ops/RUNBOOK.md"] {
            let text = try String(contentsOf: Self.repository.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: /SWITCHBOARD_[A-Z0-9_]*[A-Z0-9]/) {
                named[String(match.output)] = file
            }
        }
        #expect(
            named["SWITCHBOARD_DB"] != nil && named["SWITCHBOARD_TELEGRAM_BOT_TOKEN"] != nil, "the scan finds names")
        for (name, file) in named.sorted(by: { $0.key < $1.key }) {
            #expect(SwitchboardEnvironment.known.contains(name), "\(name), named in \(file), is not known")
        }
    }
}
