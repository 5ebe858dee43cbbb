import ChatStore
import Enqueuer
import Foundation
import Harness
import JSON
import Queue

/// `switchboard demo`: the whole pipeline on a fresh SQLite file, with no provider tokens.
struct DemoCommand: Command {
    static let name = "demo"
    static let summary = "Run the pipeline end to end on a fresh database: intake, linking, two workers, replies"
    static let options: [OptionSpec] = []
    static let examples = [
        "switchboard demo",
        "switchboard demo --db /tmp/demo.db",
        "",
        "Without --db the demo makes a new temporary directory and says where; $SWITCHBOARD_DB is ignored.",
        "It never touches an existing file: a --db path that exists is refused.",
    ]

    /// The database given with `--db`, if any: the demo's own default is a new directory, never `$SWITCHBOARD_DB`.
    let requested: StoreLocation?

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        requested = try arguments.value(GlobalOptions.database).map(StoreLocation.init)
    }

    /// A database nothing else uses, and where the replies go: `--db` if it holds nothing yet (a path none
    /// of whose files exist, or a PostgreSQL database without a Switchboard schema), else a new SQLite file
    /// in a new temporary directory.
    private func freshDatabase() async throws -> (location: StoreLocation, replies: String) {
        switch requested {
        case nil:
            let path = try Self.temporaryDirectory() + "/demo.db"
            return (.sqlite(path: path), DemoFiles(database: path).replies)
        case .sqlite(let path):
            for file in DemoFiles(database: path).all where FileManager.default.fileExists(atPath: file) {
                throw CommandFailure(
                    exitCode: .cannotCreate,
                    message: "\(file) already exists; the demo only writes new files: give --db a path that does not "
                        + "exist, or leave --db out for a new temporary directory"
                )
            }
            return (.sqlite(path: path), DemoFiles(database: path).replies)
        case .postgres(let url)?:
            var options = StoreOptions()
            options.access = .readOnly
            do {
                _ = try await SwitchboardDatabase.open(.postgres(url: url), options: options)
            } catch let error as QueueError where error.code == .databaseMissing {
                return (.postgres(url: url), try Self.temporaryDirectory() + "/demo.replies.jsonl")
            }
            throw CommandFailure(
                exitCode: .cannotCreate,
                message: "\(StoreLocation.postgres(url: url)) already holds a Switchboard database; the demo only "
                    + "uses a database without one"
            )
        }
    }

    private static func temporaryDirectory() throws -> String {
        let pattern = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("switchboard-demo-XXXXXX")
        var template = Array(pattern.path.utf8CString)
        guard let directory = mkdtemp(&template) else {
            throw CommandFailure(exitCode: .cannotCreate, message: "cannot make a temporary directory for the demo")
        }
        return String(cString: directory)
    }

    func run(_ context: CommandContext) async throws {
        let (location, replies) = try await freshDatabase()
        let store = try await SwitchboardDatabase.open(location, options: context.storeOptions(.create))
        let links = try ChatStore(store)
        // With --json the story is left out, and one object at the end says what happened.
        let json = context.output.json
        let say = { (line: String) in if !json { Output.writeLine(line, to: .standardOutput) } }
        var intakeResults: [JSONObject] = []
        say("Switchboard demo on a fresh database: \(location)\n")

        say(
            "1. Linking. acct_demo links the Slack workspace T0EXAMPLE1 with a link token, and asks for a Telegram connect code."
        )
        let token = try await links.createLinkToken(type: .server, platform: "slack", subject: "T0EXAMPLE1")
        _ = try await links.confirmLinkToken(token.token, account: "acct_demo")
        let code = try await links.requestConnectCode(owner: "acct_demo", provider: "telegram")
        say("   server link made for slack/T0EXAMPLE1; connect code issued (valid until \(code.expiresAt))\n")

        say("2. Intake. Webhooks deliver a stream from Slack, Telegram, Discord and WeChat, some of it twice:")
        let intake = Intake(store: store)
        var tally: [IntakeResult.Status: Int] = [:]
        for (label, delivery) in DemoStream.deliveries(code: code.code) {
            let result = try await intake.receive(delivery)
            tally[result.status, default: 0] += 1
            intakeResults.append(["delivery": label, "result": result.fields])
            let job = result.jobID.map { " as job \($0) (\(result.kind ?? ""))" } ?? ""
            say(
                "   \(label.padding(toLength: 46, withPad: " ", startingAt: 0)) -> \(result.status.rawValue)\(job)\(result.detail.map { ": \($0)" } ?? "")"
            )
        }
        say("")

        say(
            "3. Two worker processes work the queue: the echo agent, streamed a word at a time (each answer is "
                + "sent as soon as there is text, then edited in place), links required, replies written to \(replies)."
        )
        let arguments = [
            "work", "--durability", context.global.durability.rawValue, "--agent", "echo-stream",
            "--links", "required", "--local-replies", replies, "--concurrency", "4", "--drain",
        ]
        // The database goes in the environment, not the arguments, which any user may list.
        var environment = ProcessInfo.processInfo.environment
        environment["SWITCHBOARD_DB"] = location.connectionText
        let workers = try (0..<2).map { _ in
            try SwitchboardChild(arguments: arguments, environment: environment, errorOutput: .discard)
        }
        for worker in workers {
            let status = await worker.waitForExit()
            guard status == 0 else {
                throw CommandFailure(exitCode: .software, message: "a demo worker exited with \(status)")
            }
        }
        let lines = (try? String(contentsOfFile: replies, encoding: .utf8))?.split(separator: "\n") ?? []
        let sent = lines.compactMap { (try? JSONParser.parse(Data($0.utf8)))?.objectValue }
        say("   sends and edits, in order (\(lines.count)):")
        for reply in sent {
            // Messages that waited together are answered in one reply, one line each.
            let text = (reply["text"]?.stringValue ?? "").replacingOccurrences(of: "\n", with: "\n     ")
            let action =
                reply["edit"]?.stringValue.map { "edit \($0)" } ?? "send \(reply["message_id"]?.stringValue ?? "")"
            say("   - \(reply["provider"]?.stringValue ?? "") \(reply["chat"]?.stringValue ?? "") \(action): \(text)")
        }
        say("")

        let resolution = try await links.resolveOwner(
            provider: "telegram", workspace: "7744552", sender: "7744552", isDirect: true)
        let stats = try await store.stats()
        say("4. Outcome.")
        say(
            "   deliveries: \(tally[.enqueued, default: 0]) enqueued, \(tally[.duplicate, default: 0]) duplicates absorbed, "
                + "\(tally[.ignored, default: 0]) ignored")
        say("   Telegram chat 7744552 now resolves to: \(resolution.account ?? "nobody")")
        say(
            "   dead letters: \(stats.deadLetters); jobs left: \(stats.totals.values.reduce(0, +)); dedupe keys held: \(stats.dedupeKeysHeld)"
        )
        say("\nInspect it yourself: switchboard stats --db \(location)")
        if json {
            context.output.result(
                "",
                json: [
                    "database": location.description, "replies_file": replies, "intake": intakeResults, "replies": sent,
                    "telegram_owner": resolution.account.json, "dead_letters": stats.deadLetters,
                    "jobs_left": stats.totals.values.reduce(0, +), "dedupe_keys_held": stats.dedupeKeysHeld,
                ])
        }
    }
}
