import ChatStore
import Enqueuer
import Foundation
import Harness
import JSON
import Queue
import Testing

/// `switchboard poll` against the fake provider's long polls: separate processes, real databases.
@Suite("Receiving updates by long polling", .serialized, .timeLimit(.minutes(3)))
struct PollTests {
    /// A configuration pointing Telegram and WeChat at the fake provider.
    static func configuration(_ fake: FakeProvider, in directory: TestDirectory) throws -> String {
        let text = """
            {"providers": {
               "telegram": {"base_url": "\(fake.baseURL)", "bot_token": "123456:SECRET-telegram-token"},
               "wechat": {"base_url": "\(fake.baseURL)", "bot_token": "SECRET-wechat-token"}}}
            """
        let path = directory.path("poll.json")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The `offset` of each getUpdates the fake provider received, in order.
    static func telegramOffsets(_ fake: FakeProvider) async throws -> [Int?] {
        try await fake.requests().filter { ($0["path"] as? String)?.hasSuffix("/getUpdates") == true }.map {
            ($0["body"] as? [String: Any])?["offset"] as? Int
        }
    }

    static func report(_ finished: SwitchboardChild.Finished) -> [String: Int] {
        (try? JSONSerialization.jsonObject(with: Data(finished.stdout.utf8)) as? [String: Int]) ?? [:]
    }

    @Test(
        "Telegram: a poller killed mid-stream resumes at the stored offset; every update is recorded once",
        arguments: TestBackend.all)
    func telegramAcrossKill(backend: TestBackend) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = try await backend.newDatabase(in: directory)
        let config = try Self.configuration(fake, in: directory)
        let updates = (0..<300).map { ServeTests.telegramUpdate(70_000 + $0, chat: 1_000 + $0, text: "poll \($0)") }
        try await fake.queueUpdates(#"{"telegram": [\#(updates.joined(separator: ","))]}"#)
        // Polls after the first take a while to answer, so the kill lands between or inside them.
        try await fake.script(#"[{"path": "getUpdates", "times": 3, "delay_ms": 300, "pass": true}]"#)
        let store = try await SwitchboardDatabase.open(location)
        let arguments = ["--json", "poll", "--provider", "telegram", "--config", config, "--poll-timeout", "1"]
        let doomed = try SwitchboardProcess.start(arguments, database: location.connectionText)
        try await waitUntil("the first page is recorded") {
            try await store.stats().totals.values.reduce(0, +) >= 100
        }
        doomed.signal(SIGKILL)
        _ = await doomed.finish()
        let chat = try ChatStore(store)
        let stored = try #require(try await chat.pollCursor(source: "telegram:123456"))
        let recorded = try await store.stats().totals.values.reduce(0, +)
        #expect(Int(stored) == 70_000 + recorded, "the offset moved exactly with the updates recorded")
        let before = try await Self.telegramOffsets(fake).count

        let resumed = try await SwitchboardProcess.run(arguments + ["--drain"], database: location.connectionText)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let offsets = try await Self.telegramOffsets(fake)
        #expect(offsets[before] == Int(stored), "the restart asked from the stored offset")
        let report = Self.report(resumed)
        #expect(report["enqueued"] == 300 - recorded)
        #expect(report["duplicates"] == 0, "nothing recorded before the kill was polled again")
        #expect(try await store.stats().totals.values.reduce(0, +) == 300)
        #expect(try await store.stats().dedupeKeysHeld == 300)
        #expect(try await chat.pollCursor(source: "telegram:123456") == "70300")
        #expect(!resumed.stderr.contains("SECRET"), "the bot token stays out of the log")
    }

    @Test("Telegram with a webhook set: the poller says so, exits 69, and writes nothing")
    func telegramWebhookConflict() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        try await fake.script(
            #"""
            [{"path": "getUpdates", "times": 1, "status": 409,
              "body": {"ok": false, "error_code": 409,
                       "description": "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}}]
            """#)
        let result = try await SwitchboardProcess.run(
            ["poll", "--provider", "telegram", "--config", try Self.configuration(fake, in: directory), "--drain"],
            database: directory.databasePath)
        #expect(result.status == 69)
        #expect(result.stderr.contains("webhook is set") && result.stderr.contains("deleteWebhook"), "\(result.stderr)")
        #expect(!result.stderr.contains("SECRET"))
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        #expect(try await store.stats().totals.values.reduce(0, +) == 0)
    }

    @Test("WeChat: the get_updates_buf is stored with its messages, and the next run starts from it")
    func weChatCursor() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let config = try Self.configuration(fake, in: directory)
        func messages(_ range: Range<Int>) -> String {
            range.map {
                #"{"message_id":\#(9_100_000 + $0),"from_user_id":"u\#($0)@im.wechat","message_type":1,"context_token":"ctx\#($0)","item_list":[{"type":1,"text_item":{"text":"hello \#($0)"}}]}"#
            }.joined(separator: ",")
        }
        let arguments = ["--json", "poll", "--provider", "wechat", "--config", config, "--drain"]
        try await fake.queueUpdates(#"{"wechat": [\#(messages(0..<25))]}"#)
        let first = try await SwitchboardProcess.run(arguments, database: directory.databasePath)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Self.report(first)["enqueued"] == 25)

        try await fake.queueUpdates(#"{"wechat": [\#(messages(25..<30))]}"#)
        let before = try await fake.requests().count
        let second = try await SwitchboardProcess.run(arguments, database: directory.databasePath)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(Self.report(second)["enqueued"] == 5)
        #expect(Self.report(second)["duplicates"] == 0)
        let firstPoll = try await fake.requests()[before]["body"] as? [String: Any]
        #expect(firstPoll?["get_updates_buf"] as? String == "c25", "the second run resumed at the stored cursor")
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        #expect(try await store.stats().totals.values.reduce(0, +) == 30)
    }

    @Test("SIGTERM during a long poll: the poll is abandoned and the poller exits 0")
    func stopDuringPoll() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        try await fake.script(#"[{"path": "getUpdates", "times": 1, "delay_ms": 120000, "pass": true}]"#)
        let poller = try SwitchboardProcess.start(
            ["poll", "--provider", "telegram", "--config", try Self.configuration(fake, in: directory)],
            database: directory.databasePath)
        try await waitUntil("the poll is in flight") { try await !Self.telegramOffsets(fake).isEmpty }
        poller.signal(SIGTERM)
        let finished = await poller.finish()
        #expect(finished.status == 0, "\(finished.stderr)")
    }
}
