import ChatStore
import Enqueuer
import Foundation
import Harness
import JSON
import Queue
import Testing

/// `switchboard receive` against the fake provider's sockets (Slack Socket Mode, the Discord Gateway):
/// separate processes, killed with SIGKILL where the test says so, on real databases.
@Suite("Receiving over the providers' sockets", .serialized, .timeLimit(.minutes(4)))
struct ReceiveTests {
    /// The Slack app id in the app-level token names the stream.
    static let slackStream = "slack:A0TEST"
    /// The bot id in the Discord token's first part ("123456789" in base64) names the stream.
    static let discordStream = "discord:123456789"

    /// - Parameters:
    ///   - wecomSocket: the fake's WeCom socket URL, to configure the WeCom AI bot with.
    ///   - agent: the agent the workers ask (`echo-stream` streams its answer, for live replies).
    static func configuration(
        _ fake: FakeProvider, in directory: TestDirectory, discord: String = "", wecomSocket: String? = nil,
        agent: String = "echo"
    ) throws -> String {
        let wecom =
            wecomSocket.map {
                #""wecom": {"bot_id": "aibotTEST", "bot_secret": "SECRET-wecom-bot-secret", "socket_url": "\#($0)"},"#
            } ?? ""
        // A name ("echo") or the agent's settings as JSON.
        let agentSetting = agent.hasPrefix("{") ? agent : "\"\(agent)\""
        let text = """
            {"agent": \(agentSetting), "links": {"mode": "open", "default_owner": "acct_test_owner"},
             "providers": {\(wecom)
               "slack": {"base_url": "\(fake.baseURL)", "bot_token": "xoxb-SECRET-slack-token",
                         "app_token": "xapp-1-A0TEST-1-SECRETappleveltoken"},
               "telegram": {"base_url": "\(fake.baseURL)", "bot_token": "123456:SECRET-telegram-token"},
               "feishu": {"base_url": "\(fake.baseURL)", "app_id": "cli_test_app", "app_secret": "SECRET-feishu-secret"},
               "dingtalk": {"base_url": "\(fake.baseURL)", "client_id": "dingtestkey",
                            "client_secret": "SECRET-dingtalk-secret"},
               "discord": {"base_url": "\(fake.baseURL)", "bot_token": "MTIzNDU2Nzg5.SECRET.discordtoken"\(discord)}}}
            """
        let path = directory.path("receive.json")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func discordMessage(_ id: Int, guild: String? = "G1", text: String = "hello") -> String {
        let guildField = guild.map { #""guild_id":"\#($0)","# } ?? ""
        return
            #"{"id":"\#(900_000 + id)",\#(guildField)"channel_id":"C\#(id % 3)","author":{"id":"\#(700 + id)"},"content":"\#(text) \#(id)","type":0}"#
    }

    /// A DingTalk robot's received message in a group, as Stream mode and the webhook both carry it.
    static func dingtalkMessage(_ id: Int) -> String {
        #"{"msgId":"msg\#(id)","msgtype":"text","text":{"content":"hello \#(id)"},"conversationId":"cid\#(id % 3)","conversationType":"2","senderId":"s\#(id)","senderStaffId":"staff\#(id)","robotCode":"robot1","chatbotUserId":"bot1","createAt":1732262400000}"#
    }

    /// A Feishu `im.message.receive_v1` event in a group, as the long connection and the webhook carry it.
    static func feishuEvent(_ id: Int) -> String {
        #"{"schema":"2.0","header":{"event_id":"ev\#(id)","event_type":"im.message.receive_v1","create_time":"1732262400000","app_id":"cli_test_app","tenant_key":"t1"},"event":{"sender":{"sender_id":{"open_id":"ou_\#(id)"},"sender_type":"user","tenant_key":"t1"},"message":{"message_id":"om_\#(id)","chat_id":"oc_\#(id % 3)","chat_type":"group","message_type":"text","content":"{\"text\":\"hello \#(id)\"}"}}}"#
    }

    /// An event of `provider` for the socket tests that take every acknowledging provider alike, and the
    /// route its answer is sent to.
    static func ackedEvent(_ provider: String, _ id: Int) -> (event: String, replyPath: String) {
        switch provider {
        case "slack": (ServeTests.slackEvent(id), "/api/chat.postMessage")
        case "feishu": (Self.feishuEvent(id), "/open-apis/im/v1/messages/om_\(id)/reply")
        default: (Self.dingtalkMessage(id), "/v1.0/robot/groupMessages/send")
        }
    }

    /// Holds the database's writer so the receiver's next commit waits, queues events with `queue`, and
    /// kills the receiver with SIGKILL while it waits to commit them.
    static func kill(
        _ receiver: SwitchboardChild, whileCommitting databasePath: String, _ queue: () async throws -> Void
    ) async throws {
        let lock = try WriterLock(databasePath: databasePath)
        defer { lock.release() }
        try await queue()
        try await waitUntil("the receiver waits to commit") { WriterLock.hasWaiter(databasePath) }
        receiver.signal(SIGKILL)
        _ = await receiver.finish()
    }

    static func jobs(_ store: JobStore) async throws -> Int {
        try await store.stats().totals.values.reduce(0, +)
    }

    static func state(_ fake: FakeProvider, _ provider: String) async throws -> JSONObject {
        try await fake.socketState()[provider]?.objectValue ?? JSONObject()
    }

    static func count(_ fake: FakeProvider, _ provider: String, _ key: String) async throws -> Int {
        Int(try await state(fake, provider)[key]?.integerValue ?? 0)
    }

    static func receive(_ config: String, _ provider: String, _ location: StoreLocation) throws -> SwitchboardChild {
        try SwitchboardProcess.start(
            ["--json", "receive", "--provider", provider, "--config", config], database: location.connectionText)
    }

    @Test(
        "Slack: events over Socket Mode become the jobs their webhooks would, each acknowledged once committed",
        arguments: TestBackend.all)
    func slackEvents(backend: TestBackend) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = try await backend.newDatabase(in: directory)
        let store = try await SwitchboardDatabase.open(location)
        let config = try Self.configuration(fake, in: directory)
        let events = (0..<5).map { ServeTests.slackEvent($0, text: "socket \($0)") }
        try await fake.queueSocketEvents(#"{"slack": [\#(events.joined(separator: ","))]}"#)
        let receiver = try Self.receive(config, "slack", location)
        try await waitUntil("the five envelopes are acknowledged") {
            try await Self.count(fake, "slack", "acked") == 5
        }
        #expect(try await Self.jobs(store) == 5)
        let webhook = try await Intake(store: store).receive(
            events.map { Delivery(provider: .slack, body: Data($0.utf8)) })
        #expect(webhook.allSatisfy { $0.status == .duplicate }, "the webhook's copies meet the same dedupe keys")
        receiver.signal(SIGTERM)
        let finished = await receiver.finish()
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(!finished.stderr.contains("SECRET"), "no token in the log")
        #expect(try await ChatStore(store).streamHold(Self.slackStream) == nil, "a stopped receiver gives its hold up")
    }

    @Test(
        "an event whose commit the receiver did not live to make is sent again, recorded once and answered once",
        arguments: ["slack", "feishu"])
    func killedBeforeCommit(provider: String) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = StoreLocation.sqlite(path: directory.databasePath)
        let store = try await SwitchboardDatabase.open(location)
        let config = try Self.configuration(fake, in: directory)
        let doomed = try Self.receive(config, provider, location)
        try await waitUntil("the receiver connects") { try await Self.count(fake, provider, "connections") == 1 }
        let (event, replyPath) = Self.ackedEvent(provider, 1)
        try await Self.kill(doomed, whileCommitting: directory.databasePath) {
            try await fake.queueSocketEvents(#"{"\#(provider)": [\#(event)]}"#)
        }
        #expect(try await Self.count(fake, provider, "unacked") == 1, "nothing was acknowledged before a commit")
        #expect(try await Self.jobs(store) == 0)

        let successor = try Self.receive(config, provider, location)
        try await waitUntil("the event sent again is acknowledged", timeout: .seconds(40)) {
            try await Self.count(fake, provider, "unacked") == 0
        }
        #expect(try await Self.jobs(store) == 1)
        successor.signal(SIGTERM)
        _ = await successor.finish()
        let worked = try await SwitchboardProcess.run(
            ["work", "--drain", "--config", config], database: location.connectionText)
        #expect(worked.status == 0, "\(worked.stderr)")
        let replies = try await fake.requests().filter { ($0["path"] as? String) == replyPath }
        #expect(replies.count == 1, "the event was answered once")
    }

    @Test("Feishu: events over the long connection, split across frames, become the webhook's jobs; pings go out")
    func feishuLongConnection() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = StoreLocation.sqlite(path: directory.databasePath)
        let store = try await SwitchboardDatabase.open(location)
        try await fake.socketControl(#"{"provider": "feishu", "split": true, "ping_s": 1}"#)
        let events = (0..<3).map(Self.feishuEvent)
        try await fake.queueSocketEvents(#"{"feishu": [\#(events.joined(separator: ","))]}"#)
        let receiver = try Self.receive(try Self.configuration(fake, in: directory), "feishu", location)
        try await waitUntil("the three events are answered") { try await Self.count(fake, "feishu", "acked") == 3 }
        #expect(try await Self.jobs(store) == 3)
        let webhook = try await Intake(store: store).receive(
            events.map { Delivery(provider: .feishu, body: Data($0.utf8)) })
        #expect(webhook.allSatisfy { $0.status == .duplicate }, "\(webhook.map(\.status))")
        try await waitUntil("pings go out at the interval the endpoint gave") {
            try await Self.count(fake, "feishu", "pings") >= 3
        }
        receiver.signal(SIGTERM)
        let finished = await receiver.finish()
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(!finished.stderr.contains("SECRET"))
    }

    @Test("DingTalk: a robot's message is acknowledged only once committed, and DingTalk does not send it again")
    func dingtalkKilledBeforeCommit() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = StoreLocation.sqlite(path: directory.databasePath)
        let store = try await SwitchboardDatabase.open(location)
        let config = try Self.configuration(fake, in: directory)
        let doomed = try Self.receive(config, "dingtalk", location)
        try await waitUntil("the receiver connects") { try await Self.count(fake, "dingtalk", "connections") == 1 }
        try await Self.kill(doomed, whileCommitting: directory.databasePath) {
            try await fake.queueSocketEvents(#"{"dingtalk": [\#(Self.dingtalkMessage(1))]}"#)
        }
        #expect(try await Self.count(fake, "dingtalk", "unacked") == 1, "nothing was acknowledged before a commit")
        let successor = try Self.receive(config, "dingtalk", location)
        try await waitUntil("the successor connects", timeout: .seconds(40)) {
            try await Self.count(fake, "dingtalk", "connections") == 2
        }
        try await fake.queueSocketEvents(#"{"dingtalk": [\#(Self.dingtalkMessage(2))]}"#)
        try await waitUntil("the next message is recorded") { try await Self.count(fake, "dingtalk", "acked") == 1 }
        #expect(try await Self.jobs(store) == 1, "the message lost with the killed receiver stays lost (README)")
        successor.signal(SIGTERM)
        _ = await successor.finish()
    }

    @Test("DingTalk: Stream mode callbacks become the webhook's jobs, pings are echoed, client_id names app_key")
    func dingtalkStream() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = StoreLocation.sqlite(path: directory.databasePath)
        let store = try await SwitchboardDatabase.open(location)
        let messages = (0..<3).map(Self.dingtalkMessage)
        try await fake.queueSocketEvents(#"{"dingtalk": [\#(messages.joined(separator: ","))]}"#)
        let receiver = try Self.receive(try Self.configuration(fake, in: directory), "dingtalk", location)
        try await waitUntil("the three callbacks are acknowledged") {
            try await Self.count(fake, "dingtalk", "acked") == 3
        }
        #expect(try await Self.jobs(store) == 3)
        let webhook = try await Intake(store: store).receive(
            messages.map { Delivery(provider: .dingtalk, body: Data($0.utf8)) })
        #expect(webhook.allSatisfy { $0.status == .duplicate })
        try await fake.socketControl(
            #"{"provider": "dingtalk", "send": {"specVersion": "1.0", "type": "SYSTEM", "headers": {"topic": "ping", "messageId": "ping-1"}, "data": "{\"opaque\":\"o-1\"}"}}"#
        )
        try await waitUntil("the ping is echoed") {
            try await Self.state(fake, "dingtalk")["echoes"]?.arrayValue == [.string(#"{"opaque":"o-1"}"#)]
        }
        receiver.signal(SIGTERM)
        let finished = await receiver.finish()
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(!finished.stderr.contains("SECRET"))
        #expect(try await ChatStore(store).streamHold("dingtalk:dingtestkey") == nil)
    }

    @Test("Slack: a refresh request reconnects without losing an event; link_disabled stops with 69")
    func slackRefreshAndSwitchOff() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = StoreLocation.sqlite(path: directory.databasePath)
        let store = try await SwitchboardDatabase.open(location)
        let receiver = try Self.receive(try Self.configuration(fake, in: directory), "slack", location)
        try await waitUntil("the receiver connects") { try await Self.count(fake, "slack", "connections") == 1 }
        try await fake.socketControl(
            #"{"provider": "slack", "send": {"type": "disconnect", "reason": "refresh_requested"}}"#)
        try await fake.queueSocketEvents(#"{"slack": [\#(ServeTests.slackEvent(7))]}"#)
        try await waitUntil("the receiver reconnects and records the event") {
            let connections = try await Self.count(fake, "slack", "connections")
            let unacked = try await Self.count(fake, "slack", "unacked")
            return connections == 2 && unacked == 0
        }
        try await fake.socketControl(
            #"{"provider": "slack", "send": {"type": "disconnect", "reason": "link_disabled"}}"#)
        let finished = await receiver.finish()
        #expect(finished.status == 69)
        #expect(finished.stderr.contains("Socket Mode off"), "\(finished.stderr)")
        #expect(try await Self.jobs(store) == 1)
    }

    @Test("Slack: an app token Slack refuses stops receive with 69, naming the setting and not the token")
    func slackRefusedToken() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        try await fake.script(
            #"[{"path": "apps.connections.open", "times": 1, "body": {"ok": false, "error": "invalid_auth"}}]"#)
        let finished = try await SwitchboardProcess.run(
            ["receive", "--provider", "slack", "--config", try Self.configuration(fake, in: directory)],
            database: directory.databasePath)
        #expect(finished.status == 69)
        #expect(finished.stderr.contains("providers.slack.app_token"), "\(finished.stderr)")
        #expect(!finished.stderr.contains("SECRET"))
    }

    @Test(
        "Discord: a receiver killed and started again resumes its session; every message is recorded once",
        arguments: TestBackend.all)
    func discordResume(backend: TestBackend) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = try await backend.newDatabase(in: directory)
        let store = try await SwitchboardDatabase.open(location)
        let config = try Self.configuration(fake, in: directory)
        try await fake.queueSocketEvents(
            #"{"discord": [\#((0..<3).map { Self.discordMessage($0) }.joined(separator: ","))]}"#)
        let doomed = try Self.receive(config, "discord", location)
        try await waitUntil("the first three messages are recorded") { try await Self.jobs(store) == 3 }
        doomed.signal(SIGKILL)
        _ = await doomed.finish()
        let position = try #require(try await ChatStore(store).pollCursor(source: Self.discordStream))
        #expect(position.contains("session-1"), "the session was stored with its messages: \(position)")
        try await fake.queueSocketEvents(
            #"{"discord": [\#((3..<5).map { Self.discordMessage($0) }.joined(separator: ","))]}"#)

        let successor = try Self.receive(config, "discord", location)
        try await waitUntil("the later messages are recorded", timeout: .seconds(40)) {
            try await Self.jobs(store) == 5
        }
        #expect(
            try await Self.count(fake, "discord", "identifies") == 1, "the session was resumed, not identified again")
        #expect(try await Self.count(fake, "discord", "resumes") == 1)
        #expect(try await store.stats().dedupeKeysHeld == 5)
        successor.signal(SIGTERM)
        let finished = await successor.finish()
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(!finished.stderr.contains("SECRET"))
    }

    @Test("Discord: messages dispatched but not committed when the receiver was killed are replayed on resume")
    func discordReplay() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = StoreLocation.sqlite(path: directory.databasePath)
        let store = try await SwitchboardDatabase.open(location)
        let config = try Self.configuration(fake, in: directory)
        try await fake.queueSocketEvents(#"{"discord": [\#(Self.discordMessage(1))]}"#)
        let doomed = try Self.receive(config, "discord", location)
        try await waitUntil("the first message is recorded") { try await Self.jobs(store) == 1 }
        try await Self.kill(doomed, whileCommitting: directory.databasePath) {
            try await fake.queueSocketEvents(#"{"discord": [\#(Self.discordMessage(2)), \#(Self.discordMessage(3))]}"#)
        }
        #expect(try await Self.jobs(store) == 1, "the dispatched messages were not committed")

        let successor = try Self.receive(config, "discord", location)
        try await waitUntil("the replayed messages are recorded", timeout: .seconds(40)) {
            try await Self.jobs(store) == 3
        }
        #expect(try await Self.count(fake, "discord", "resumes") == 1)
        #expect(try await Self.count(fake, "discord", "identifies") == 1)
        successor.signal(SIGTERM)
        let finished = await successor.finish()
        #expect(finished.status == 0, "\(finished.stderr)")
    }

    @Test(
        "Feishu and DingTalk: credentials the provider refuses stop receive with 69, naming the settings",
        arguments: [
            (
                "feishu",
                #"[{"path": "callback/ws/endpoint", "times": 1, "body": {"code": 1000040344, "msg": "no credential"}}]"#,
                "providers.feishu.app_id"
            ),
            (
                "dingtalk",
                #"[{"path": "gateway/connections/open", "times": 1, "status": 401, "body": {"code": "InvalidAuthentication"}}]"#,
                "providers.dingtalk.client_id"
            ),
        ])
    func refusedCredentials(provider: String, script: String, named: String) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        try await fake.script(script)
        let finished = try await SwitchboardProcess.run(
            ["receive", "--provider", provider, "--config", try Self.configuration(fake, in: directory)],
            database: directory.databasePath)
        #expect(finished.status == 69)
        #expect(finished.stderr.contains(named), "\(finished.stderr)")
        #expect(!finished.stderr.contains("SECRET"))
    }

    @Test("Discord: RECONNECT, INVALID_SESSION both ways and a zombie connection all recover, losing nothing")
    func discordRecoveries() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = StoreLocation.sqlite(path: directory.databasePath)
        let store = try await SwitchboardDatabase.open(location)
        try await fake.socketControl(#"{"provider": "discord", "heartbeat_ms": 300}"#)
        let receiver = try Self.receive(try Self.configuration(fake, in: directory), "discord", location)
        var sent = 0
        func send(_ count: Int) async throws {
            let messages = (sent..<sent + count).map { Self.discordMessage($0) }
            sent += count
            try await fake.queueSocketEvents(#"{"discord": [\#(messages.joined(separator: ","))]}"#)
        }
        try await send(2)
        try await waitUntil("the first messages are recorded") { try await Self.jobs(store) == 2 }

        try await fake.socketControl(#"{"provider": "discord", "send": {"op": 7, "d": null}}"#)
        try await send(2)
        try await waitUntil("RECONNECT resumes") { try await Self.count(fake, "discord", "resumes") == 1 }
        try await fake.socketControl(#"{"provider": "discord", "send": {"op": 9, "d": true}}"#)
        try await waitUntil("a resumable INVALID_SESSION resumes") {
            try await Self.count(fake, "discord", "resumes") == 2
        }

        try await fake.socketControl(#"{"provider": "discord", "ack_heartbeats": false}"#)
        try await waitUntil("a zombie connection is dropped and resumed") {
            try await Self.count(fake, "discord", "resumes") >= 3
        }
        try await fake.socketControl(#"{"provider": "discord", "ack_heartbeats": true, "forget_sessions": true}"#)
        try await fake.socketControl(#"{"provider": "discord", "send": {"op": 9, "d": false}}"#)
        try await waitUntil("a lost session is identified again") {
            try await Self.count(fake, "discord", "identifies") == 2
        }
        try await send(2)
        try await waitUntil("every message is recorded") { try await Self.jobs(store) == sent }
        #expect(try await store.stats().dedupeKeysHeld == sent)
        receiver.signal(SIGTERM)
        let finished = await receiver.finish()
        #expect(finished.status == 0, "\(finished.stderr)")
    }

    @Test(
        "Discord: an authentication close and a disallowed intent stop receive with 69, naming the setting",
        arguments: [(4004, "providers.discord.bot_token"), (4014, "Message Content")])
    func discordFatalCloses(code: Int, named: String) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let receiver = try Self.receive(
            try Self.configuration(fake, in: directory), "discord", .sqlite(path: directory.databasePath))
        try await waitUntil("the receiver identifies") { try await Self.count(fake, "discord", "identifies") == 1 }
        try await fake.socketControl(#"{"provider": "discord", "close": \#(code)}"#)
        let finished = await receiver.finish()
        #expect(finished.status == 69)
        #expect(finished.stderr.contains(named), "\(finished.stderr)")
        #expect(!finished.stderr.contains("SECRET"))
    }

    @Test("Discord: a direct message over the Gateway gets a dedupe key scoped by the bot, so its replay is absorbed")
    func discordDirectMessages() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = StoreLocation.sqlite(path: directory.databasePath)
        let store = try await SwitchboardDatabase.open(location)
        let receiver = try Self.receive(try Self.configuration(fake, in: directory), "discord", location)
        try await fake.queueSocketEvents(#"{"discord": [\#(Self.discordMessage(1, guild: nil))]}"#)
        try await waitUntil("the direct message is recorded") { try await Self.jobs(store) == 1 }
        #expect(try await store.stats().dedupeKeysHeld == 1, "the direct message has a dedupe key")
        let replay =
            #"{"op":0,"t":"MESSAGE_CREATE","s":9,"application_id":"\#(FakeSockets.discordApplicationID)","d":\#(Self.discordMessage(1, guild: nil))}"#
        let again = try await Intake(store: store).receive(Delivery(provider: .discord, body: Data(replay.utf8)))
        #expect(again.status == .duplicate)
        receiver.signal(SIGTERM)
        _ = await receiver.finish()
    }

    @Test(
        "two receivers on one database hold one connection; after kill -9 of the holder the other takes over within 15 s and resumes",
        arguments: TestBackend.all)
    func takeover(backend: TestBackend) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = try await backend.newDatabase(in: directory)
        let store = try await SwitchboardDatabase.open(location)
        let config = try Self.configuration(fake, in: directory)
        let first = try Self.receive(config, "discord", location)
        try await waitUntil("the first receiver identifies") {
            try await Self.count(fake, "discord", "identifies") == 1
        }
        let second = try Self.receive(config, "discord", location)
        try await waitUntil("the second receiver waits") { second.errorOutputSoFar.contains(#""event":"waiting""#) }
        try await fake.queueSocketEvents(#"{"discord": [\#(Self.discordMessage(1))]}"#)
        try await waitUntil("the holder records a message") { try await Self.jobs(store) == 1 }
        #expect(try await Self.count(fake, "discord", "connections") == 1, "only the holder connected")

        first.signal(SIGKILL)
        let killed = ContinuousClock.now
        _ = await first.finish()
        try await fake.queueSocketEvents(#"{"discord": [\#(Self.discordMessage(2))]}"#)
        try await waitUntil("the other receiver takes over", timeout: .seconds(20)) {
            try await Self.count(fake, "discord", "resumes") == 1
        }
        #expect(ContinuousClock.now - killed < .seconds(15))
        try await waitUntil("the message sent meanwhile is recorded") { try await Self.jobs(store) == 2 }
        second.signal(SIGTERM)
        let finished = await second.finish()
        #expect(finished.status == 0, "\(finished.stderr)")
    }

    @Test("Telegram under receive: one process of two polls the bot; after kill -9 of it the other takes over")
    func telegramHeld() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = StoreLocation.sqlite(path: directory.databasePath)
        let store = try await SwitchboardDatabase.open(location)
        let config = try Self.configuration(fake, in: directory)
        let first = try Self.receive(config, "telegram", location)
        try await waitUntil("the first process holds the bot") {
            first.errorOutputSoFar.contains(#""event":"holding""#)
        }
        let second = try Self.receive(config, "telegram", location)
        try await waitUntil("the second process waits") { second.errorOutputSoFar.contains(#""event":"waiting""#) }
        try await fake.queueUpdates(#"{"telegram": [\#(ServeTests.telegramUpdate(80_001))]}"#)
        try await waitUntil("the update is recorded") { try await Self.jobs(store) == 1 }
        first.signal(SIGKILL)
        _ = await first.finish()
        try await waitUntil("the other process takes over", timeout: .seconds(20)) {
            second.errorOutputSoFar.contains(#""event":"holding""#)
        }
        try await fake.queueUpdates(#"{"telegram": [\#(ServeTests.telegramUpdate(80_002))]}"#)
        try await waitUntil("the next update is recorded") { try await Self.jobs(store) == 2 }
        #expect(!second.errorOutputSoFar.contains("poll_failed"), "the processes never polled the bot at once")
        second.signal(SIGTERM)
        let finished = await second.finish()
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(try await ChatStore(store).pollCursor(source: "telegram:123456") == "80003")
    }

    /// A WeCom AI bot's message as its long connection's callback carries it.
    static func wecomMessage(_ id: Int) -> String {
        #"{"msgid":"wmsg\#(id)","aibotid":"aibotTEST","chattype":"single","from":{"userid":"zhangsan"},"msgtype":"text","text":{"content":"hello wecom \#(id)"}}"#
    }

    /// The fake's WeCom socket URL.
    static func wecomSocket(_ fake: FakeProvider) async throws -> String {
        "ws://127.0.0.1:\(try await fake.socketState()["port"]?.integerValue ?? 0)/wecom"
    }

    /// The replies the fake's WeCom socket received, in order.
    static func wecomResponses(_ fake: FakeProvider) async throws -> [JSONObject] {
        try await Self.state(fake, "wecom")["responses"]?.arrayValue?.compactMap(\.objectValue) ?? []
    }

    @Test("WeCom: a message over the AI bot's long connection is answered over it, a growing stream ending with finish")
    func wecomOverTheSocket() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = StoreLocation.sqlite(path: directory.databasePath)
        let store = try await SwitchboardDatabase.open(location)
        let config = try Self.configuration(
            fake, in: directory, wecomSocket: try await Self.wecomSocket(fake), agent: "echo-stream")
        try await fake.queueSocketEvents(#"{"wecom": [\#(Self.wecomMessage(1))]}"#)
        let receiver = try Self.receive(config, "wecom", location)
        try await waitUntil("the message is recorded") { try await Self.jobs(store) == 1 }
        let webhook = try await Intake(store: store).receive(
            Delivery(provider: .wecom, body: Data(Self.wecomMessage(1).utf8)))
        #expect(webhook.status == .duplicate, "the webhook's copy of the message meets the same dedupe key")
        let worked = try await SwitchboardProcess.run(
            ["work", "--drain", "--config", config], database: location.connectionText)
        #expect(worked.status == 0, "\(worked.stderr)")
        try await waitUntil("the stream is finished over the socket") {
            try await Self.wecomResponses(fake).last?["finish"] == .bool(true)
        }
        let responses = try await Self.wecomResponses(fake)
        #expect(responses.allSatisfy { $0["req_id"] == .string("req-1") }, "every frame answers the callback")
        let contents = responses.compactMap { $0["content"]?.stringValue }
        #expect(contents.last?.contains("hello wecom 1") == true, "\(contents)")
        #expect(responses.count > 1, "the answer grew in place before it finished: \(contents)")
        #expect(zip(contents, contents.dropFirst()).allSatisfy { $1.count >= $0.count }, "\(contents)")
        #expect(responses.dropLast().allSatisfy { $0["finish"] == .bool(false) })
        #expect(try await fake.requests().allSatisfy { ($0["path"] as? String)?.hasPrefix("/cgi-bin") != true })
        receiver.signal(SIGTERM)
        let finished = await receiver.finish()
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(!finished.stderr.contains("SECRET"))
    }

    @Test(
        "WeCom: an answer's image goes over the AI bot's connection in a finished stream, with its caption; a PDF is a note"
    )
    func wecomImageOverTheSocket() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = StoreLocation.sqlite(path: directory.databasePath)
        let store = try await SwitchboardDatabase.open(location)
        let png = AttachmentTests.png
        try await fake.script(
            #"""
            [{"path": "/agent", "body": {"reply": "here", "attachments": [
                {"data_base64": "\#(png.base64EncodedString())", "file_name": "chart.png", "caption": "the chart"},
                {"data_base64": "JVBERi0xLjcKJSVFT0YK", "file_name": "report.pdf"}]}}]
            """#)
        let config = try Self.configuration(
            fake, in: directory, wecomSocket: try await Self.wecomSocket(fake),
            agent: #"{"url": "\#(fake.baseURL)/agent"}"#)
        try await fake.queueSocketEvents(#"{"wecom": [\#(Self.wecomMessage(3))]}"#)
        let receiver = try Self.receive(config, "wecom", location)
        try await waitUntil("the message is recorded") { try await Self.jobs(store) == 1 }
        let worked = try await SwitchboardProcess.run(
            ["work", "--drain", "--config", config], database: location.connectionText)
        #expect(worked.status == 0, "\(worked.stderr)")
        try await waitUntil("the text, the image and the note are sent over the socket") {
            try await Self.wecomResponses(fake).count >= 3
        }
        let responses = try await Self.wecomResponses(fake)
        #expect(
            responses.map { $0["content"]?.stringValue ?? "" } == [
                "here", "the chart",
                "(report.pdf could not be sent: wecom takes only images here (image/jpeg, image/png))",
            ])
        #expect(responses.allSatisfy { $0["finish"] == .bool(true) })
        #expect(Set(responses.compactMap { $0["req_id"]?.stringValue }).count == 1, "every frame answers the callback")
        let image = responses[1]["msg_item"]?.arrayValue?.first?.objectValue?["image"]?.objectValue
        #expect(image?["base64"]?.stringValue == png.base64EncodedString())
        let md5 = try await AttachmentTests.python(
            ["-c", "import base64,hashlib,sys;print(hashlib.md5(base64.b64decode(sys.stdin.read())).hexdigest())"],
            stdin: png.base64EncodedString())
        #expect(image?["md5"]?.stringValue == md5)
        #expect(try await fake.requests().allSatisfy { ($0["path"] as? String)?.hasPrefix("/cgi-bin") != true })
        receiver.signal(SIGTERM)
        _ = await receiver.finish()
    }

    @Test("WeCom: a reply queued while no process holds the socket is sent by the next holder")
    func wecomReplyAfterHolderKilled() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = StoreLocation.sqlite(path: directory.databasePath)
        let store = try await SwitchboardDatabase.open(location)
        let config = try Self.configuration(fake, in: directory, wecomSocket: try await Self.wecomSocket(fake))
        try await fake.queueSocketEvents(#"{"wecom": [\#(Self.wecomMessage(2))]}"#)
        let doomed = try Self.receive(config, "wecom", location)
        try await waitUntil("the message is recorded") { try await Self.jobs(store) == 1 }
        doomed.signal(SIGKILL)
        _ = await doomed.finish()
        let worked = try await SwitchboardProcess.run(
            ["work", "--drain", "--config", config], database: location.connectionText)
        #expect(worked.status == 0, "\(worked.stderr)")
        #expect(try await Self.wecomResponses(fake).isEmpty, "nothing holds the socket yet")

        let successor = try Self.receive(config, "wecom", location)
        try await waitUntil("the new holder sends the reply", timeout: .seconds(40)) {
            try await Self.wecomResponses(fake).last?["finish"] == .bool(true)
        }
        let responses = try await Self.wecomResponses(fake)
        #expect(responses.count == 1 && responses[0]["content"]?.stringValue?.contains("hello wecom 2") == true)
        successor.signal(SIGTERM)
        _ = await successor.finish()
    }

    @Test("WeCom: a secret the AI bot refuses stops receive with 69, naming the settings")
    func wecomRefused() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        try await fake.socketControl(#"{"provider": "wecom", "refuse_subscription": true}"#)
        let finished = try await SwitchboardProcess.run(
            [
                "receive", "--provider", "wecom", "--config",
                try Self.configuration(fake, in: directory, wecomSocket: try await Self.wecomSocket(fake)),
            ], database: directory.databasePath)
        #expect(finished.status == 69)
        #expect(finished.stderr.contains("providers.wecom.bot_id"), "\(finished.stderr)")
        #expect(!finished.stderr.contains("SECRET"))
    }
}
