import ChatStore
import Enqueuer
import Foundation
import Harness
import Queue
import Testing
import Workers

/// The chat shows the bot typing while the agent works, and never after the reply; a provider without a
/// typing call gets none, and a failing one costs the turn nothing.
@Suite("Typing while the agent works", .serialized, .timeLimit(.minutes(2)))
struct TypingTests {
    /// Runs one message's turn and reply against the fake provider, whose agent answers after `delay`;
    /// returns the provider's record.
    func turn(_ provider: Provider, _ fixture: String, agentDelay milliseconds: Int, faults: String = "")
        async throws -> [[String: Any]]
    {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let test = try await TestStore(.sqlite) { $0.clock = SystemClock() }
        var configuration = fake.configuration()
        configuration.agent = .http(url: fake.baseURL + "/agent", connectTimeout: .seconds(5), timeout: .seconds(30))
        try await fake.script(
            #"[{"path": "/agent", "times": 1, "delay_ms": \#(milliseconds), "pass": true}\#(faults)]"#)
        let result = try await Intake(store: test.store).receive(
            Delivery(provider: provider, body: try Fixture(provider, fixture).data))
        #expect(result.status == .enqueued)
        _ = try await work(test.store, configuration, until: "the turn is answered") {
            try await test.store.stats().totals.values.reduce(0, +) == 0
        }
        return try await fake.requests()
    }

    static func paths(_ requests: [[String: Any]]) -> [String] {
        requests.compactMap { $0["path"] as? String }
    }

    @Test("Telegram: sendChatAction typing before the reply, refreshed while the agent works, none after")
    func telegram() async throws {
        let paths = Self.paths(try await turn(.telegram, "private_message", agentDelay: 9_000))
        let typing = paths.indices.filter { paths[$0].hasSuffix("/sendChatAction") }
        let reply = try #require(paths.firstIndex { $0.hasSuffix("/sendMessage") }, "\(paths)")
        #expect(typing.count >= 2, "sent again before it lapses: \(paths)")
        #expect(typing.allSatisfy { $0 < reply }, "none after the reply: \(paths)")
    }

    @Test("Discord: the channel's typing route, with the bot's credentials, before the reply")
    func discord() async throws {
        let requests = try await turn(.discord, "guild_message", agentDelay: 500)
        let paths = Self.paths(requests)
        let typing = try #require(requests.first { ($0["path"] as? String)?.hasSuffix("/typing") == true }, "\(paths)")
        #expect((typing["headers"] as? [String: String])?["authorization"] == "Bot SECRET.discord.token")
        let reply = try #require(paths.firstIndex { $0.hasSuffix("/messages") })
        #expect(paths.firstIndex { $0.hasSuffix("/typing") }! < reply)
    }

    @Test("a provider without a typing call gets none; a failing typing call costs the turn nothing")
    func noneOrFailing() async throws {
        let slack = Self.paths(try await turn(.slack, "channel_message", agentDelay: 500))
        #expect(slack.filter { $0.contains("typing") || $0.contains("ChatAction") }.isEmpty, "\(slack)")
        let failing = Self.paths(
            try await turn(
                .telegram, "private_message", agentDelay: 500,
                faults: #", {"path": "sendChatAction", "times": 5, "status": 500, "raw": "down"}"#))
        #expect(failing.contains { $0.hasSuffix("/sendMessage") }, "the reply went out: \(failing)")
    }
}
