import ChatStore
import Enqueuer
import Foundation
import Queue
import Testing

@Suite("Intake into the store")
struct IntakeTests {
    private func intake(_ t: TestStore, ttl: Duration = .seconds(86_400)) -> Intake {
        var options = IntakeOptions()
        options.dedupeTimeToLive = ttl
        return Intake(store: t.store, options: options)
    }

    @Test(
        "a message is enqueued with its key and history; its redelivery is a duplicate that writes nothing",
        arguments: NormaliserTests.messages.filter {
            $0.workspace != nil && $0.messageID != nil && !$0.text.hasPrefix("/")
        })
    func redeliveryIsDuplicate(expected: ExpectedEvent) async throws {
        let t = try await TestStore()
        let fixture = try Fixture(expected.fixture.0, expected.fixture.1)
        let first = try await intake(t).receive(fixture.delivery)
        #expect(first.status == .enqueued)
        #expect(first.kind == ChatJob.turn)
        let key = try #require(first.dedupeKey)
        #expect(key.hasPrefix("\(expected.fixture.0.rawValue):"))
        #expect(!key.contains(expected.conversation), "the key carries no raw ids")

        let again = try await intake(t).receive(fixture.delivery)
        #expect(again.status == .duplicate)
        #expect(again.jobID == first.jobID)
        #expect(try await t.store.jobs().count == 1)
        let event = try fixture.event()
        let history = try await t.chat.history(conversation: event.conversationKey)
        #expect(history.map(\.text) == [expected.text])
        #expect(history.first?.jobID == first.jobID)
    }

    @Test("a message without a key is still enqueued, and each delivery of it is a new job", arguments: TestBackend.all)
    func noKeyStillEnqueued(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let dm = try Fixture(.discord, "direct_message")
        let first = try await intake(t).receive(dm.delivery)
        let second = try await intake(t).receive(dm.delivery)
        #expect(first.status == .enqueued && second.status == .enqueued)
        #expect(first.dedupeKey == nil)
        #expect(first.jobID != second.jobID)
    }

    @Test(
        "rejected and ignored deliveries write nothing, and do not stop the rest of the batch",
        arguments: TestBackend.all)
    func rejectedWritesNothing(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let results = try await intake(t).receive([
            Delivery(provider: .slack, body: Data("{not json".utf8)),
            try Fixture(.slack, "bot_message").delivery,
            try Fixture(.slack, "channel_message").delivery,
            try Fixture(.slack, "channel_message").editing("event.channel", to: nil).delivery,
        ])
        #expect(results.map(\.status) == [.rejected, .ignored, .enqueued, .rejected])
        #expect(results[3].detail == "slack: event.channel is missing")
        #expect(try await t.store.jobs().count == 1)
        #expect(try await t.store.stats().dedupeKeysHeld == 1)
    }

    @Test("the key lives for the configured TTL; after it, a redelivery is enqueued again", arguments: TestBackend.all)
    func keyLifetime(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let message = try Fixture(.telegram, "group_message")
        _ = try await intake(t, ttl: .seconds(600)).receive(message.delivery)
        t.clock.advance(by: .seconds(599))
        #expect(try await intake(t, ttl: .seconds(600)).receive(message.delivery).status == .duplicate)
        t.clock.advance(by: .seconds(1))
        #expect(try await intake(t, ttl: .seconds(600)).receive(message.delivery).status == .enqueued)
    }

    @Test(
        "link commands become link jobs, keep no history and store no code; other texts are turns",
        arguments: [
            (Provider.slack, "/connect Q2hhcmxlc0JhYmJhZ2U", ChatJob.link),
            (.slack, "<@U0BOTUSER1> /connect Q2hhcmxlc0JhYmJhZ2U", ChatJob.link),
            (.slack, "/connect@switchboard_bot Q2hhcmxlc0JhYmJhZ2U", ChatJob.link),
            (.slack, "connect Q2hhcmxlc0JhYmJhZ2U", ChatJob.turn),
            (.slack, "/connect", ChatJob.turn),
            (.slack, "/start Q2hhcmxlc0JhYmJhZ2U", ChatJob.turn),
            (.telegram, "/start Q2hhcmxlc0JhYmJhZ2U", ChatJob.link),
        ]
    )
    func linkCommands(provider: Provider, text: String, kind: String) async throws {
        let t = try await TestStore()
        let fixture =
            provider == .slack
            ? try Fixture(.slack, "direct_message").editing("event.text", to: .string(text))
            : try Fixture(.telegram, "start_command").editing("message.text", to: .string(text))
        let result = try await intake(t).receive(fixture.delivery)
        #expect(result.kind == kind)
        let job = try #require(try await t.store.job(id: result.jobID ?? 0))
        #expect(job.kind == kind)
        #expect(try await t.chat.historyCount(job: job.id) == (kind == ChatJob.turn ? 1 : 0))
        if kind == ChatJob.link {
            let payload = String(decoding: job.payload, as: UTF8.self)
            #expect(!payload.contains("Q2hhcmxlc0JhYmJhZ2U"), "the code itself is never stored")
            let decoded = try ChatJob.decode(job.payload)
            #expect(decoded.codeDigest == (try SecretToken.digest("Q2hhcmxlc0JhYmJhZ2U")))
        }
    }

    @Test("a user message is in history if and only if its turn job exists", arguments: TestBackend.all)
    func historyIffTurn(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        var deliveries: [Delivery] = []
        for provider in Provider.allCases {
            for fixture in try Fixture.all(provider) {
                deliveries.append(fixture.delivery)
                deliveries.append(fixture.delivery)
                deliveries.append(Delivery(provider: provider, body: fixture.data.prefix(fixture.data.count / 2)))
            }
        }
        let results = try await intake(t).receive(deliveries)
        let turnIDs = Set(results.filter { $0.status == .enqueued && $0.kind == ChatJob.turn }.compactMap(\.jobID))
        #expect(!turnIDs.isEmpty)
        var historyRows = 0
        for job in try await t.store.jobs(limit: 10_000) {
            let count = try await t.chat.historyCount(job: job.id)
            #expect(count == (job.kind == ChatJob.turn ? 1 : 0), "job \(job.id) (\(job.kind))")
            historyRows += count
        }
        #expect(historyRows == turnIDs.count)
    }
}
