import ChatStore
import Foundation
import Queue
import Testing

@Suite("Settlement effects, rate holds and dead-letter notices")
struct EffectsTests {
    @Test(
        "a completion enqueues its follow-ups and their history in the same transaction, only if the lease holds",
        arguments: TestBackend.conformance)
    func followUpsWithCompletion(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        try await t.enqueue("turn")
        let turn = try await t.claim(lease: .seconds(10))[0]
        let delivery = NewJob(queue: "out", kind: "deliver", groupKey: "conv-1")
            .attaching(ConversationMessage(conversation: "conv-1", role: .assistant, text: "the reply"))
        t.clock.advance(by: .seconds(10))
        await #expect(throws: QueueError.self) {
            try await t.store.complete(turn.lease, effects: SettlementEffects(enqueue: [delivery]))
        }
        #expect(try await t.store.jobs(queue: "out").isEmpty, "a fenced completion writes no follow-up")
        #expect(try await t.chat.history(conversation: "conv-1").isEmpty)

        let again = try await t.claim(lease: .seconds(10))[0]
        try await t.store.complete(again.lease, effects: SettlementEffects(enqueue: [delivery, delivery]))
        #expect(try await t.store.jobs(queue: "out").map(\.state) == [.ready, .blocked])
        #expect(try await t.chat.history(conversation: "conv-1").map(\.text) == ["the reply", "the reply"])
    }

    @Test(
        "an invalid follow-up dead-letters the job instead of failing the exchange", arguments: TestBackend.conformance)
    func invalidFollowUp(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let id = try await t.enqueue("turn").jobID
        let turn = try await t.claim()[0]
        let result = try await t.store.complete(
            turn.lease, effects: SettlementEffects(enqueue: [NewJob(queue: "", kind: "x")]))
        #expect(result == .deadLettered(.nonRetryable))
        #expect(try await t.store.deadLetter(id: id).lastError?.hasPrefix("invalid follow-up job: queue") == true)
    }

    @Test("rate holds keep the latest time and lapse when it passes", arguments: TestBackend.conformance)
    func holds(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        try await t.enqueue()
        try await t.enqueue()
        let jobs = try await t.claim(2)
        try await t.store.snooze(jobs[0].lease, for: .seconds(30))
        try await t.store.complete(
            jobs[1].lease,
            effects: SettlementEffects(holds: [
                RateHold(bucket: "telegram:chat:1", for: .seconds(30)),
                RateHold(bucket: "telegram:bot", for: .seconds(1)),
            ]))
        #expect(try await t.store.holdRemaining(buckets: ["telegram:bot", "telegram:chat:1"]) == .seconds(30))
        #expect(try await t.store.holdRemaining(buckets: ["telegram:chat:2"]) == nil)
        t.clock.advance(by: .seconds(10))
        #expect(try await t.store.holdRemaining(buckets: ["telegram:chat:1"]) == .seconds(20), "measured from now")
        t.clock.advance(by: .seconds(20))
        #expect(try await t.store.holdRemaining(buckets: ["telegram:chat:1"]) == nil)
    }

    @Test(
        "a dead-lettered job enqueues its notice with the same payload, whoever dead-letters it",
        arguments: TestBackend.conformance)
    func deadLetterNotice(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let notice = DeadLetterNotice(queue: "chat", kind: "turn.failed")
        let payload = Data(#"{"event":1}"#.utf8)
        try await t.store.enqueue(
            NewJob(queue: "q", kind: "turn", payload: payload, maxAttempts: 1, onDeadLetter: notice))
        try await t.store.enqueue(
            NewJob(queue: "q", kind: "turn", payload: payload, maxAttempts: 1, onDeadLetter: notice))
        try await t.store.enqueue(NewJob(queue: "q", kind: "turn", maxAttempts: 1))
        let jobs = try await t.claim(3, lease: .seconds(5))
        try await t.store.fail(jobs[0].lease, error: "agent down", retryable: true)
        try await t.store.complete(jobs[2].lease)
        t.clock.advance(by: .seconds(5))
        _ = try await t.claim(queue: "q")
        let notices = try await t.store.jobs(queue: "chat")
        #expect(notices.count == 2, "one by a failure, one by a lease expiring in another worker's claim")
        #expect(notices.allSatisfy { $0.kind == "turn.failed" && $0.payload == payload && $0.state == .ready })
    }

    @Test(
        "the identity that consumed a code gets the same owner when it presents it again; others do not",
        arguments: TestBackend.conformance)
    func consumeReplay(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let links = try ChatStore(t.store)
        let code = try await links.requestConnectCode(owner: "acct_1", provider: "slack")
        let digest = try SecretToken.digest(code.code)
        let ada = ChannelIdentity(provider: "slack", workspace: "T1", user: "U_ADA")
        #expect(try await links.consumeConnectCode(digest: digest, identity: ada) == "acct_1")
        #expect(try await links.consumeConnectCode(digest: digest, identity: ada) == "acct_1")
        await #expect(throws: LinkError.self) {
            try await links.consumeConnectCode(
                digest: digest, identity: ChannelIdentity(provider: "slack", workspace: "T1", user: "U_BOB"))
        }
    }
}
