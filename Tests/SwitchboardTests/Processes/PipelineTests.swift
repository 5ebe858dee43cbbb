import ChatStore
import Enqueuer
import Foundation
import JSON
import Queue
import Testing

/// Whole runs: intake processes, worker processes and the fake provider, all separate processes.
@Suite("The pipeline end to end", .serialized, .timeLimit(.minutes(3)))
struct PipelineTests {
    /// One inbound message of the test stream.
    struct Message {
        let provider: Provider
        let conversation: Int
        let index: Int
        let body: String

        var text: String { "m-\(provider.rawValue)-\(conversation)-\(index) what is the status?" }
        var reply: String { "agent: " + text }
    }

    static func messages() -> [Message] {
        var messages: [Message] = []
        var serial = 0
        for provider in [Provider.telegram, .slack, .discord, .wechat] {
            for conversation in 0..<3 {
                for index in 0..<4 {
                    serial += 1
                    let text = "m-\(provider.rawValue)-\(conversation)-\(index) what is the status?"
                    let body: String =
                        switch provider {
                        case .telegram:
                            #"{"update_id":\#(9000 + serial),"message":{"message_id":\#(100 + index),"from":{"id":\#(500 + conversation),"is_bot":false,"first_name":"U"},"chat":{"id":\#(500 + conversation),"type":"private"},"date":1732262400,"text":"\#(text)"}}"#
                        case .slack:
                            #"{"type":"event_callback","team_id":"T1","event_id":"Ev\#(serial)","event":{"type":"message","user":"U\#(conversation)","channel":"C\#(conversation)","text":"\#(text)","ts":"1732262400.\#(1000 + index)","channel_type":"channel","client_msg_id":"\#(UUID().uuidString)"}}"#
                        case .discord:
                            #"{"op":0,"s":\#(serial),"t":"MESSAGE_CREATE","d":{"id":"\#(7_000_000 + serial)","channel_id":"9\#(conversation)","guild_id":"G1","author":{"id":"7\#(conversation)"},"content":"\#(text)","type":0}}"#
                        default:
                            #"{"message_id":\#(8_000_000 + serial),"from_user_id":"u\#(conversation)@im.wechat","client_id":"\#(UUID().uuidString)","message_type":1,"context_token":"ctx\#(conversation)","item_list":[{"type":1,"text_item":{"text":"\#(text)"}}]}"#
                        }
                    messages.append(Message(provider: provider, conversation: conversation, index: index, body: body))
                }
            }
        }
        return messages
    }

    /// The messages a reply answers: one, or several that waited together and were folded into one turn.
    static func answers(_ reply: String) -> [String] {
        reply.hasPrefix("agent: ") ? reply.dropFirst(7).split(separator: "\n").map(String.init) : []
    }

    /// The reply text a recorded provider request carried, with its provider and chat.
    static func sent(_ request: [String: Any]) -> (provider: String, chat: String, text: String)? {
        guard let path = request["path"] as? String, let body = request["body"] as? [String: Any] else { return nil }
        if path.hasSuffix("/sendMessage") {
            return ("telegram", "\(body["chat_id"] ?? "")", body["text"] as? String ?? "")
        }
        if path == "/api/chat.postMessage" {
            return ("slack", body["channel"] as? String ?? "", body["text"] as? String ?? "")
        }
        if path.hasPrefix("/api/v10/channels/") {
            return ("discord", path.split(separator: "/")[3].description, body["content"] as? String ?? "")
        }
        if path == "/ilink/bot/sendmessage", let message = body["msg"] as? [String: Any],
            let items = message["item_list"] as? [[String: Any]], let item = items.first?["text_item"] as? [String: Any]
        {
            return ("wechat", message["to_user_id"] as? String ?? "", item["text"] as? String ?? "")
        }
        return nil
    }

    @Test(
        "redeliveries, a worker killed mid-run, 429s and 500s: one reply per message, in order, all accounted for",
        arguments: TestBackend.all)
    func endToEnd(backend: TestBackend) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = try await backend.newDatabase(in: directory)
        let db = location.connectionText
        var configuration = [
            #""agent": {"url": "\#(fake.baseURL)/agent", "timeout": 10}"#,
            #""links": {"mode": "open", "default_owner": "acct_e2e_owner"}"#,
            #""pacing": true"#,
        ]
        let providers = FakeProvider.credentials.map { provider, credentials in
            "\"\(provider.rawValue)\": {\"base_url\": \"\(fake.baseURL)\", "
                + credentials.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ") + "}"
        }
        configuration.append("\"providers\": {" + providers.joined(separator: ", ") + "}")
        let config = directory.path("switchboard.json")
        try Data(("{" + configuration.joined(separator: ", ") + "}").utf8).write(to: URL(fileURLWithPath: config))

        // The stream: every message once, in order per conversation, and about a third delivered again later.
        let messages = Self.messages()
        var generator = SeededGenerator(seed: 42)
        var stream: [Message] = []
        for message in messages {
            stream.append(message)
            if Int.random(in: 0..<3, using: &generator) == 0 { stream.append(message) }
        }
        var statuses: [String: Int] = [:]
        for provider in [Provider.telegram, .slack, .discord, .wechat] {
            let input = stream.filter { $0.provider == provider }.map(\.body).joined(separator: "\n")
            let result = try await SwitchboardProcess.run(
                ["intake", "--provider", provider.rawValue, "--batch"], database: db, stdin: input)
            #expect(result.status == 0, "\(result.stderr)")
            for line in result.stdout.split(separator: "\n") {
                let status =
                    (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["status"] as? String
                    ?? "?"
                statuses[status, default: 0] += 1
            }
        }
        #expect(statuses["enqueued"] == messages.count)
        #expect(statuses["duplicate"] == stream.count - messages.count)

        try await fake.script(
            #"""
            [{"path": "/agent", "times": 16, "delay_ms": 400, "pass": true},
             {"path": "sendMessage", "times": 6, "status": 429,
              "body": {"ok": false, "error_code": 429, "description": "Too Many Requests", "parameters": {"retry_after": 1}}},
             {"path": "chat.postMessage", "times": 2, "status": 500, "raw": "upstream error"},
             {"path": "/messages", "times": 2, "status": 429, "body": {"message": "slow down", "retry_after": 0.5, "global": false}}]
            """#)
        let arguments = ["work", "--config", config, "--concurrency", "4", "--lease", "2", "--json"]
        let doomed = try SwitchboardProcess.start(arguments, database: db)
        try await waitUntil("the first worker has turns and deliveries in flight") {
            let requests = try await fake.requests()
            return requests.filter { ($0["path"] as? String) == "/agent" }.count >= 6
                && requests.contains { Self.sent($0) != nil }
        }
        doomed.signal(SIGKILL)
        _ = await doomed.finish()
        let workers = try (0..<2).map { _ in try SwitchboardProcess.start(arguments, database: db) }
        let store = try await SwitchboardDatabase.open(location)
        try await waitUntil("every job is done", timeout: .seconds(120)) {
            try await store.stats().totals.values.reduce(0, +) == 0
        }
        var logs = ""
        for worker in workers {
            worker.signal(SIGTERM)
            let result = await worker.finish()
            #expect(result.status == 0, "\(result.stderr)")
            logs += result.stderr
        }

        let requests = try await fake.requests()
        let delivered = requests.filter { $0["scripted"] as? Bool == false && $0["deduplicated"] as? Bool != true }
            .compactMap(Self.sent)
        // A reply answers one message, or several that waited together (folded follow-ups): "agent: a\nb".
        let answered = delivered.map { ($0, Self.answers($0.text)) }
        let counts = Dictionary(grouping: answered.flatMap(\.1), by: { $0 }).mapValues(\.count)
        for message in messages {
            #expect(counts[message.text, default: 0] >= 1, "\(message.text) was answered")
        }
        let repeats = counts.values.reduce(0) { $0 + $1 - 1 }
        // Only the killed worker's in-flight deliveries (4 at most) may repeat, each answering at most the
        // 4 messages of its conversation.
        #expect(repeats <= 4 * 4, "\(counts.filter { $0.value > 1 })")
        #expect(Set(counts.keys) == Set(messages.map(\.text)), "no answer to a message that was not sent")
        let discordReplies = answered.filter { $0.0.provider == "discord" }
        #expect(discordReplies.flatMap(\.1).count == 12, "Discord's nonce absorbs resends: each message answered once")

        for provider in ["telegram", "slack", "discord", "wechat"] {
            for chat in Set(delivered.filter { $0.provider == provider }.map(\.chat)) {
                var seen: [String] = []
                for (send, texts) in answered where send.provider == provider && send.chat == chat {
                    seen += texts.filter { !seen.contains($0) }
                }
                #expect(seen == seen.sorted(), "\(provider) chat \(chat) got its answers in order: \(seen)")
            }
        }

        let stats = try await store.stats()
        #expect(stats.deadLetters == 0, "six 429s in a row spent no attempts (five allowed)")
        #expect(stats.dedupeKeysHeld == messages.count)
        for message in messages.filter({ $0.index == 0 }) {
            let event = try Fixture(message.provider, body: Data(message.body.utf8)).event()
            let history = try await ChatStore(store).history(conversation: event.conversationKey)
            #expect(history.filter { $0.role == .user }.count == 4, "each message recorded once")
            let answers = history.filter { $0.role == .assistant }.flatMap { Self.answers($0.text) }
            #expect(answers.count == 4, "each message answered once in the history, whatever the crash repeated")
        }
        #expect(!logs.contains("SECRET"), "no credential in the workers' logs")
        #expect(!logs.contains("what is the status"), "no message text in the workers' logs")
    }

    /// A configuration file sending everything to the fake provider, with its echo agent.
    static func configFile(_ fake: FakeProvider, in directory: TestDirectory) throws -> String {
        let providers = FakeProvider.credentials.map { provider, credentials in
            "\"\(provider.rawValue)\": {\"base_url\": \"\(fake.baseURL)\", "
                + credentials.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ") + "}"
        }
        let text =
            #"{"agent": {"url": "\#(fake.baseURL)/agent"}, "links": {"mode": "open", "default_owner": "acct_owner"}, "#
            + #""pacing": false, "providers": {"# + providers.joined(separator: ", ") + "}}"
        let path = directory.path("switchboard.json")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(
        "a Telegram photo delivered twice is fetched by `work`, kept once beside the database, and given to the agent")
    func photoBesideTheDatabase() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let db = directory.databasePath
        let config = try Self.configFile(fake, in: directory)
        let photo = try Fixture(.telegram, "photo")
        try await fake.script(
            #"""
            [{"path": "/getFile", "body": {"ok": true, "result": {"file_id": "AgACAgQAAxkBAAIBWmdAphotoLarge", "file_path": "photos/file_1.png"}}},
             {"path": "/file/bot", "raw_base64": "\#(AttachmentTests.png.base64EncodedString())"}]
            """#)
        for expected in ["enqueued", "duplicate"] {
            let intake = try await SwitchboardProcess.run(
                ["intake", "--provider", "telegram"], database: db, stdin: String(decoding: photo.data, as: UTF8.self))
            #expect(intake.stdout.contains(#""status":"\#(expected)""#), "\(intake.stdout) \(intake.stderr)")
        }
        let work = try await SwitchboardProcess.run(["work", "--config", config, "--drain"], database: db)
        #expect(work.status == 0, "\(work.stderr)")
        let requests = try await fake.requests()
        let getFile = requests.first { ($0["path"] as? String)?.hasSuffix("/getFile") == true }
        #expect((getFile?["body"] as? [String: Any])?["file_id"] as? String == "AgACAgQAAxkBAAIBWmdAphotoLarge")
        let agent = requests.filter { $0["path"] as? String == "/agent" }.compactMap { $0["body"] as? [String: Any] }
        #expect(agent.count == 1)
        let files = try #require(agent.first?["attachments"] as? [[String: Any]])
        let digest = try await AttachmentTests.sha256(AttachmentTests.png)
        #expect(files.map { $0["sha256"] as? String } == [digest])
        #expect(agent.first?["message"] as? String == "", "a photo without a caption is a message of its own")
        let kept = directory.path("queue.db-attachments/\(digest.prefix(2))/\(digest)")
        #expect(FileManager.default.contents(atPath: kept) == AttachmentTests.png)
        #expect(requests.contains { Self.sent($0) != nil }, "the turn was answered")
    }

    @Test(
        "a turn that keeps failing is dead-lettered, the user is told, its key is released, and a redelivery is answered"
    )
    func failedTurnRecovers() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let db = directory.databasePath
        let config = try Self.configFile(fake, in: directory)
        let message = Self.messages()[0]
        try await fake.script(#"[{"path": "/agent", "times": 1, "status": 400, "raw": "{\"error\": \"bad turn\"}"}]"#)
        let first = try await SwitchboardProcess.run(
            ["intake", "--provider", "telegram"], database: db, stdin: message.body)
        #expect(first.stdout.contains(#""status":"enqueued""#))
        let work = ["work", "--config", config, "--drain"]
        #expect(try await SwitchboardProcess.run(work, database: db).status == 0)

        let store = try await SwitchboardDatabase.open(.sqlite(path: db))
        let dead = try await store.deadLetters()
        #expect(dead.map(\.kind) == [ChatJob.turn])
        #expect(dead.first?.lastError == "agent answered HTTP 400")
        #expect(try await store.stats().dedupeKeysHeld == 0, "the dead turn released its key")

        let again = try await SwitchboardProcess.run(
            ["intake", "--provider", "telegram"], database: db, stdin: message.body)
        #expect(again.stdout.contains(#""status":"enqueued""#), "the provider's redelivery is accepted again")
        #expect(try await SwitchboardProcess.run(work, database: db).status == 0)
        let texts = try await fake.requests().compactMap(Self.sent).map(\.text)
        #expect(texts == ["Sorry, something went wrong while answering. Please try again.", message.reply])
    }

    @Test("SIGTERM with turns in flight: the worker exits 0, and every turn is answered once by the next worker")
    func shutdownHandsBack() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let db = directory.databasePath
        let config = try Self.configFile(fake, in: directory)
        let messages = Self.messages().filter { $0.provider == .slack }
        let input = messages.map(\.body).joined(separator: "\n")
        _ = try await SwitchboardProcess.run(["intake", "--provider", "slack", "--batch"], database: db, stdin: input)
        try await fake.script(#"[{"path": "/agent", "times": 3, "delay_ms": 30000, "pass": true}]"#)
        let worker = try SwitchboardProcess.start(
            ["work", "--config", config, "--concurrency", "3", "--shutdown-grace", "0.5"], database: db)
        try await waitUntil("three slow turns are in flight") {
            try await fake.requests().filter { ($0["path"] as? String) == "/agent" }.count >= 3
        }
        let stopped = ContinuousClock.now
        worker.signal(SIGTERM)
        #expect(await worker.finish().status == 0)
        // The bound leaves a loaded machine room to hand the turns back and exit, far short of the 30 s calls.
        #expect(ContinuousClock.now - stopped < .seconds(15), "cut short after the grace, not after the agent calls")
        let store = try await SwitchboardDatabase.open(.sqlite(path: db))
        let leased = try await store.jobs(state: .leased)
        #expect(leased.isEmpty, "nothing is left leased: in-flight turns were handed back")

        #expect(try await SwitchboardProcess.run(["work", "--config", config, "--drain"], database: db).status == 0)
        let answered = try await fake.requests().compactMap(Self.sent).flatMap { Self.answers($0.text) }
        #expect(answered.sorted() == messages.map(\.text).sorted(), "each answered exactly once")
        #expect(try await store.stats().totals.values.reduce(0, +) == 0)
    }
}
