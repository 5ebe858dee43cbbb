import ChatStore
import Enqueuer
import Foundation
import HTTPClient
import Harness
import Queue
import Testing
import Workers

/// The chat shows the bot typing while the agent works, and never after the reply; a provider without a
/// typing call gets none, and a failing one costs the turn nothing.
@Suite("Typing while the agent works", .serialized, .timeLimit(.minutes(2)))
struct TypingTests {
    /// When the fake provider's agent answers.
    enum AgentAnswers {
        case after(milliseconds: Int)
        /// Once the fake has recorded `count` requests to a path containing `path`, or after a minute,
        /// failing the test on what it lacks: what is waited for is seen, however slow the machine.
        case onceSeen(String, count: Int = 1)

        /// The fake provider's rule fields that hold the agent's answer so.
        var rule: String {
            switch self {
            case .after(let milliseconds): #""delay_ms": \#(milliseconds)"#
            case .onceSeen(let path, let count):
                #""delay_ms": 60000, "until": {"path": "\#(path)", "count": \#(count)}"#
            }
        }
    }

    /// Runs one message's turn and reply against the fake provider, whose agent answers as `agent` says;
    /// returns the provider's record.
    /// With `settled`, waits after the turn until the record satisfies it (a request sent off the turn's path).
    func turn(
        _ provider: Provider, _ fixture: String, agent: AgentAnswers,
        faults: String = "",
        settled: (@Sendable ([String]) -> Bool)? = nil
    ) async throws -> [[String: Any]] {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let test = try await TestStore(.sqlite) { $0.clock = SystemClock() }
        var configuration = fake.configuration()
        configuration.agent = .http(url: fake.baseURL + "/agent", connectTimeout: .seconds(5), timeout: .seconds(30))
        try await fake.script(
            #"[{"path": "/agent", "times": 1, "pass": true, \#(agent.rule)}\#(faults)]"#)
        let result = try await Intake(store: test.store).receive(
            Delivery(provider: provider, body: try Fixture(provider, fixture).data))
        #expect(result.status == .enqueued)
        _ = try await work(test.store, configuration, until: "the turn is answered") {
            try await test.store.stats().totals.values.reduce(0, +) == 0
        }
        if let settled {
            try await waitUntil("the typing calls settle") { settled(Self.paths(try await fake.requests())) }
        }
        return try await fake.requests()
    }

    static func paths(_ requests: [[String: Any]]) -> [String] {
        requests.compactMap { $0["path"] as? String }
    }

    @Test("Telegram: sendChatAction typing before the reply, refreshed while the agent works, none after")
    func telegram() async throws {
        // The agent answers once the fake has seen the refresh.
        let paths = Self.paths(
            try await turn(.telegram, "private_message", agent: .onceSeen("/sendChatAction", count: 2)))
        let typing = paths.indices.filter { paths[$0].hasSuffix("/sendChatAction") }
        let reply = try #require(paths.firstIndex { $0.hasSuffix("/sendMessage") }, "\(paths)")
        #expect(typing.count >= 2, "sent again before it lapses: \(paths)")
        #expect(typing.allSatisfy { $0 < reply }, "none after the reply: \(paths)")
    }

    @Test("Discord: the channel's typing route, with the bot's credentials, before the reply")
    func discord() async throws {
        let requests = try await turn(.discord, "guild_message", agent: .onceSeen("/typing"))
        let paths = Self.paths(requests)
        let typing = try #require(requests.first { ($0["path"] as? String)?.hasSuffix("/typing") == true }, "\(paths)")
        #expect((typing["headers"] as? [String: String])?["authorization"] == "Bot SECRET.discord.token")
        let reply = try #require(paths.firstIndex { $0.hasSuffix("/messages") })
        #expect(paths.firstIndex { $0.hasSuffix("/typing") }! < reply)
    }

    @Test("Slack: the assistant thread's status is set while the agent works and cleared before the reply")
    func slack() async throws {
        // The clear goes out as the agent answers, beside the reply (Slack also clears it at the reply).
        let requests = try await turn(.slack, "thread_reply", agent: .onceSeen("/api/assistant.threads.setStatus")) {
            paths in
            paths.count { $0 == "/api/assistant.threads.setStatus" } >= 2
        }
        let paths = Self.paths(requests)
        let statuses = requests.filter { ($0["path"] as? String) == "/api/assistant.threads.setStatus" }
            .compactMap { ($0["body"] as? [String: Any])?["status"] as? String }
        #expect(statuses.first == "is thinking…" && statuses.last == "", "\(statuses)")
        let reply = try #require(paths.firstIndex { $0 == "/api/chat.postMessage" })
        #expect(paths.firstIndex { $0 == "/api/assistant.threads.setStatus" }! < reply, "\(paths)")
    }

    @Test("WeChat: the typing ticket from getconfig, typing before the reply, cancelled with status 2")
    func wechat() async throws {
        let requests = try await turn(.wechat, "text", agent: .onceSeen("/ilink/bot/sendtyping")) { paths in
            paths.count { $0 == "/ilink/bot/sendtyping" } >= 2
        }
        let paths = Self.paths(requests)
        let config = try #require(requests.first { ($0["path"] as? String) == "/ilink/bot/getconfig" }, "\(paths)")
        #expect((config["headers"] as? [String: String])?["authorization"] == "Bearer SECRET-wechat-token")
        let typing = requests.filter { ($0["path"] as? String) == "/ilink/bot/sendtyping" }
            .compactMap { $0["body"] as? [String: Any] }
        #expect(typing.allSatisfy { $0["typing_ticket"] as? String == "fake-typing-ticket" })
        #expect(typing.first?["status"] as? Int == 1 && typing.last?["status"] as? Int == 2, "\(typing)")
        let reply = try #require(paths.firstIndex { $0 == "/ilink/bot/sendmessage" })
        #expect(paths.firstIndex { $0 == "/ilink/bot/sendtyping" }! < reply, "\(paths)")
    }

    @Test("a retried turn whose live reply already shows a message sends no typing, and edits that message")
    func noTypingOnceShown() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let test = try await TestStore(.sqlite) { options in
            options.clock = SystemClock()
            options.retryPolicies = RetryPolicies(
                fallback: .exponentialJitter(initialDelay: .milliseconds(100), jitter: 0))
        }
        var configuration = fake.configuration()
        configuration.agent = .http(url: fake.baseURL + "/agent", connectTimeout: .seconds(5), timeout: .seconds(30))
        try await fake.script(#"[{"path": "/agent", "times": 1, "delay_ms": 1500, "pass": true}]"#)
        #expect(
            try await Intake(store: test.store).receive(try Fixture(.telegram, "private_message").delivery).status
                == .enqueued)
        // The first attempt's live reply sent the answer's first text, saved its id, and then the worker died.
        let token = try #require(FakeProvider.credentials[.telegram]?["bot_token"])
        let shown = try await HTTPClient(maxInFlight: 1).send(
            .json(
                fake.baseURL + ProviderRoute.telegramSend.path(token),
                Data(#"{"chat_id": "7744552", "text": "agent:"}"#.utf8)))
        let answer = try JSONSerialization.jsonObject(with: shown.body) as? [String: Any]
        let id = try #require((answer?["result"] as? [String: Any])?["message_id"] as? Int)
        let turn = try #require(
            try await test.store.claim(queues: ["chat"], limit: 1, leaseDuration: .seconds(30), workerID: "t").first)
        try await test.store.checkpoint(turn.lease, Data(#"{"messages": ["\#(id)"]}"#.utf8))
        try await test.store.fail(turn.lease, error: "the worker died", retryable: true)
        _ = try await work(test.store, configuration, until: "the retried turn is answered") {
            try await test.store.stats().totals.values.reduce(0, +) == 0
        }
        let requests = try await fake.requests()
        let paths = Self.paths(requests)
        #expect(!paths.contains { $0.hasSuffix("/sendChatAction") }, "no typing under a shown message: \(paths)")
        #expect(paths.count { $0.hasSuffix("/sendMessage") } == 1, "no second message: \(paths)")
        let edit = try #require(requests.last { ($0["path"] as? String)?.hasSuffix("/editMessageText") == true })
        #expect((edit["body"] as? [String: Any])?["message_id"] as? Int == id)
        #expect(edit["text"] as? String == "agent: Hello bot")
    }

    @Test("a provider without a typing call gets none; a failing typing call costs the turn nothing")
    func noneOrFailing() async throws {
        let dingtalk = Self.paths(try await turn(.dingtalk, "group_text", agent: .after(milliseconds: 500)))
        #expect(
            dingtalk.filter {
                !$0.hasPrefix("/_fake") && $0 != "/agent" && !$0.hasPrefix("/v1.0/robot/")
                    && $0 != "/v1.0/oauth2/accessToken"
            }.isEmpty,
            "\(dingtalk)")
        let failing = Self.paths(
            try await turn(
                .telegram, "private_message", agent: .after(milliseconds: 500),
                faults: #", {"path": "sendChatAction", "times": 5, "status": 500, "raw": "down"}"#))
        #expect(failing.contains { $0.hasSuffix("/sendMessage") }, "the reply went out: \(failing)")
    }
}
