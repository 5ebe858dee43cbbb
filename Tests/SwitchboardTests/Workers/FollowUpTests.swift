import Enqueuer
import Foundation
import JSON
import Queue
import Testing
import Workers

@Suite("Follow-ups folded into the next turn", .serialized, .timeLimit(.minutes(3)))
struct FollowUpTests {
    private func telegram(_ id: Int, _ text: String) -> Delivery {
        Delivery(
            provider: .telegram,
            body: Data(
                #"{"update_id":\#(id),"message":{"message_id":\#(id),"from":{"id":7,"is_bot":false,"first_name":"A"},"chat":{"id":7,"type":"private"},"date":1,"text":"\#(text)"}}"#
                    .utf8))
    }

    @Test(
        "turns waiting behind a running turn are answered together, once, in order; a link command is not passed",
        arguments: TestBackend.all)
    func folding(backend: TestBackend) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(backend) { $0.clock = SystemClock() }
        let intake = Intake(store: t.store)
        for (id, text) in [
            (1, "first"), (2, "second"), (3, "third"), (4, "/connect QUJDREVGR0hJSktMTU5PUA"), (5, "fifth"),
        ] {
            _ = try await intake.receive(telegram(id, text))
        }
        // The first turn is running when the others arrive: they wait behind it.
        let running = try #require(
            try await t.store.claim(queues: ["chat"], limit: 5, leaseDuration: .seconds(30), workerID: "test").first)
        #expect(try await t.store.jobs(state: .blocked).count == 4)
        try await t.store.complete(running.lease)

        var configuration = fake.configuration()
        configuration.agent = .http(url: fake.baseURL + "/agent", connectTimeout: .seconds(2), timeout: .seconds(5))
        _ = try await work(t.store, configuration, until: "everything is answered") {
            try await t.store.stats().totals.values.reduce(0, +) == 0
        }
        let requests = try await fake.requests()
        let agentMessages = requests.filter { ($0["path"] as? String) == "/agent" }.compactMap {
            ($0["body"] as? [String: Any])?["message"] as? String
        }
        #expect(
            agentMessages == ["second\nthird", "fifth"],
            "one call for the two waiting turns; the link command ran between")
        #expect(
            Self.agentHistories(requests) == [
                [["user", "first"]],
                [["user", "first"], ["user", "second"], ["user", "third"], ["assistant", "agent: second\nthird"]],
            ],
            "history holds the earlier messages only: not those answered (folded or not), nor those waiting behind")
        let replies = requests.compactMap { request -> String? in
            guard (request["path"] as? String)?.hasSuffix("/sendMessage") == true else { return nil }
            return (request["body"] as? [String: Any])?["text"] as? String
        }
        #expect(
            replies == [
                "agent: second\nthird", "That code is invalid or has expired. Ask for a new one.", "agent: fifth",
            ])
        let conversation = try Fixture(.telegram, body: telegram(2, "x").body).event().conversationKey
        #expect(
            try await t.chat.history(conversation: conversation).map(\.text)
                == ["first", "second", "third", "fifth", "agent: second\nthird", "agent: fifth"],
            "in the order things happened")
    }

    /// The `history` of each agent request, as (role, text) pairs.
    static func agentHistories(_ requests: [[String: Any]]) -> [[[String]]] {
        requests.filter { ($0["path"] as? String) == "/agent" }.map { request in
            let history = (request["body"] as? [String: Any])?["history"] as? [[String: Any]] ?? []
            return history.map { [$0["role"] as? String ?? "", $0["text"] as? String ?? ""] }
        }
    }

    @Test("a turn's history is the conversation before its message: the message itself is `message` only")
    func historyBeforeTheMessage() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(.sqlite) { $0.clock = SystemClock() }
        var configuration = fake.configuration()
        configuration.agent = .http(url: fake.baseURL + "/agent", connectTimeout: .seconds(2), timeout: .seconds(5))
        for (id, text) in [(1, "one"), (2, "two")] {
            _ = try await Intake(store: t.store).receive(telegram(id, text))
            _ = try await work(t.store, configuration, until: "\(text) is answered") {
                try await t.store.stats().totals.values.reduce(0, +) == 0
            }
        }
        let requests = try await fake.requests()
        #expect(Self.agentHistories(requests) == [[], [["user", "one"], ["assistant", "agent: one"]]])
    }
}
