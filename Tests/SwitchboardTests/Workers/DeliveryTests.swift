import Enqueuer
import Foundation
import HTTPClient
import JSON
import Queue
import Synchronization
import Testing
import Workers

/// Runs an in-process worker with the chat handlers until `done`, at most `timeout`, and returns what it did.
func work(
    _ store: JobStore, _ configuration: ChatConfiguration,
    // A lease long enough that a test process starved of CPU while the whole suite starts (its in-process
    // worker then misses heartbeats for seconds) does not lose it and send twice.
    options: WorkerOptions = WorkerOptions(queues: ["chat"], concurrency: 4, leaseDuration: .seconds(60)),
    timeout: Duration = .seconds(60), until what: String, _ done: @escaping @Sendable () async throws -> Bool
) async throws -> [WorkerEvent] {
    let events = Mutex<[WorkerEvent]>([])
    let pool = WorkerPool(
        store: store,
        handler: try ChatWorker(
            store: store, configuration: configuration, http: HTTPClient(maxInFlight: options.concurrency + 2),
            fallback: nil
        ),
        options: options,
        onEvent: { event in events.withLock { $0.append(event) } }
    )
    let running = Task { try await pool.run() }
    do {
        try await waitUntil(what, timeout: timeout, done)
    } catch {
        pool.requestStop(immediately: true)
        _ = try? await running.value
        // What the worker did meanwhile, so a timeout says where it stood.
        throw WaitTimeout(what: "\(what); the worker's events: \(events.withLock { $0 })")
    }
    pool.requestStop()
    _ = try await running.value
    return events.withLock { $0 }
}

/// The settled events of a run, as (attempt, result).
func settlements(_ events: [WorkerEvent]) -> [(attempt: Int, result: SettlementResult, error: String?)] {
    events.compactMap { event in
        guard case .settled(let job, let outcome, let result) = event else { return nil }
        if case .fail(let error, _) = outcome { return (job.attempt, result, error) }
        return (job.attempt, result, nil)
    }
}

@Suite("Delivering replies through each provider's API", .serialized, .timeLimit(.minutes(2)))
struct DeliveryTests {
    /// A store whose retries come back after 100 ms, so retried deliveries finish quickly.
    private func store(_ backend: TestBackend = .sqlite) async throws -> TestStore {
        try await TestStore(backend) { options in
            options.clock = SystemClock()
            options.retryPolicies = RetryPolicies(
                fallback: .exponentialJitter(initialDelay: .milliseconds(100), jitter: 0))
        }
    }

    private func deliver(_ fixture: Fixture, text: String = "hello", turn: Int64 = 1, into store: JobStore) async throws
        -> Int64
    {
        let message = OutboundMessage(
            provider: fixture.provider, target: try fixture.event().replyTarget, text: text, part: 1, parts: 1,
            turnID: turn
        )
        return try await store.enqueue(NewJob(queue: "chat", kind: ChatJob.deliver, payload: message.payload)).jobID
    }

    /// True once the job is completed (deleted) or dead-lettered.
    private func isGone(_ store: JobStore, _ id: Int64) -> @Sendable () async throws -> Bool {
        {
            let state = try await store.job(id: id)?.state
            return state == nil || state == .dead
        }
    }

    static let routes: [(Provider, String, String, String, String)] = [
        (.telegram, "private_message", "/bot123456:SECRET-telegram-token/sendMessage", "", ""),
        (.slack, "thread_reply", "/api/chat.postMessage", "authorization", "Bearer xoxb-SECRET-slack-token"),
        (
            .discord, "guild_message", "/api/v10/channels/1210987654321098765/messages", "authorization",
            "Bot SECRET.discord.token"
        ),
        (
            .feishu, "group_message", "/open-apis/im/v1/messages/om_5ce6d572455d361153b7cb51da133945/reply",
            "authorization", "Bearer t-fake-tenant"
        ),
        (
            .dingtalk, "group_text", "/v1.0/robot/groupMessages/send", "x-acs-dingtalk-access-token",
            "fake-dingtalk-token"
        ),
        (
            .dingtalk, "direct_text", "/v1.0/robot/oToMessages/batchSend", "x-acs-dingtalk-access-token",
            "fake-dingtalk-token"
        ),
        (.wecom, "group_text", "/cgi-bin/appchat/send?access_token=fake-wecom-token", "", ""),
        (.wecom, "single_text", "/cgi-bin/message/send?access_token=fake-wecom-token", "", ""),
        (.wechat, "text", "/ilink/bot/sendmessage", "authorization", "Bearer SECRET-wechat-token"),
    ]

    @Test("a reply reaches each provider's send endpoint with its credentials and addressing", arguments: routes)
    func routesEachProvider(provider: Provider, fixture name: String, path: String, header: String, value: String)
        async throws
    {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await store()
        let fixture = try Fixture(provider, name)
        let id = try await deliver(fixture, into: t.store)
        _ = try await work(t.store, fake.configuration(), until: "the delivery is done", isGone(t.store, id))
        let received = try await fake.requests()
        let sends = received.filter { ($0["path"] as? String) == path }
        try #require(sends.count == 1, "\(received.map { $0["path"] ?? "" })")
        let headers = sends[0]["headers"] as? [String: String] ?? [:]
        if !header.isEmpty {
            #expect(headers[header] == value)
        }
        let body =
            String(data: try JSONSerialization.data(withJSONObject: sends[0]["body"] ?? [:]), encoding: .utf8) ?? ""
        #expect(body.contains("hello"))
        switch (provider, name) {
        case (.telegram, _):
            #expect(body.contains(#""reply_parameters":{"#) && body.contains(#""message_id":88"#))
            #expect(!body.contains("reply_to_message_id"))
        case (.slack, _): #expect(body.contains(#""thread_ts":"1732262400.000200""#))
        case (.discord, _):
            #expect(body.contains(#""nonce":"sb1p1""#) && body.contains(#""enforce_nonce":true"#))
            #expect(headers["user-agent"]?.hasPrefix("DiscordBot (https://") == true, "\(headers)")
            #expect(body.contains(#""message_id":"1310512345678901249""#))
        case (.dingtalk, "direct_text"): #expect(body.contains(#""userIds":["manager4712"]"#))
        case (.dingtalk, _): #expect(body.contains(#""openConversationId":"cid6KeBBLoveMJOGXoYKF5x7EeiodoA==""#))
        case (.wecom, "single_text"):
            #expect(body.contains(#""touser":"zhangsan""#) && body.contains(#""agentid":1000002"#))
        case (.wechat, _): #expect(body.contains(#""context_token":"AARzJWAFAAABAAAAAAAo8Q==""#))
        default: break
        }
    }

    static let faults: [(String, String, SettlementResult, Int)] = [
        (
            "a 429 with retry_after snoozes without spending an attempt",
            #"{"status": 429, "body": {"ok": false, "error_code": 429, "description": "Too Many Requests", "parameters": {"retry_after": 1}}}"#,
            .completed, 1
        ),
        ("a 500 is retried with backoff", #"{"status": 500, "raw": "oops"}"#, .completed, 2),
        ("a response slower than the timeout is retried", #"{"delay_ms": 3000, "body": {"ok": true}}"#, .completed, 2),
        ("invalid JSON is retried", #"{"status": 200, "raw": "<html>not json</html>"}"#, .completed, 2),
        ("a dropped connection is retried", #"{"drop": true}"#, .completed, 2),
        (
            "a 401 dead-letters at once",
            #"{"status": 401, "body": {"ok": false, "error_code": 401, "description": "Unauthorized"}}"#,
            .deadLettered(.nonRetryable), 1
        ),
        (
            "an unknown chat dead-letters at once",
            #"{"status": 400, "body": {"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}}"#,
            .deadLettered(.nonRetryable), 1
        ),
    ]

    @Test("provider faults map to the right outcome", arguments: faults)
    func faultOutcome(name: String, rule: String, final: SettlementResult, attempt: Int) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await store()
        try await fake.script("[" + rule.dropLast() + #", "path": "sendMessage", "times": 1}]"#)
        let id = try await deliver(try Fixture(.telegram, "private_message"), into: t.store)
        let events = try await work(
            t.store, fake.configuration(requestTimeout: .seconds(1)), until: "the delivery is settled for good",
            isGone(t.store, id))
        let results = settlements(events)
        #expect(results.last?.result == final, "\(results)")
        #expect(results.last?.attempt == attempt, "\(results)")
        let sends = try await fake.requests().filter { ($0["path"] as? String)?.hasSuffix("sendMessage") == true }
        #expect(sends.count == (final == .completed ? 2 : 1))
    }

    @Test(
        "Discord's global 429 holds the global bucket for every worker, and a chat 429 only that channel",
        arguments: TestBackend.all)
    func discordGlobal(backend: TestBackend) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await store(backend)
        try await fake.script(
            #"""
            [{"path": "/messages", "times": 1, "status": 429, "headers": {"Retry-After": "30"},
              "body": {"message": "You are being rate limited.", "retry_after": 30, "global": true}}]
            """#)
        let id = try await deliver(try Fixture(.discord, "guild_message"), into: t.store)
        // The 429 came after this: the 30 s hold has at most what passed since left to run.
        let started = ContinuousClock.now
        let events = try await work(t.store, fake.configuration(), until: "the delivery is snoozed") {
            try await t.store.job(id: id)?.state == .scheduled
        }
        #expect(settlements(events).map(\.attempt) == [1])
        let hold = try #require(try await t.store.holdRemaining(buckets: ["discord:global"]))
        let passed = ContinuousClock.now - started
        #expect(hold <= .seconds(30) && hold > .seconds(30) - passed - .milliseconds(100), "\(hold), \(passed) passed")
        #expect(try await t.store.holdRemaining(buckets: ["discord:channel:1210987654321098765"]) == nil)
        #expect(try await t.store.job(id: id)?.attempts == 0, "no attempt spent")
    }

    @Test("credentials never reach a job's error or the worker's events, even when a provider echoes them")
    func credentialsMasked() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await store()
        try await fake.script(
            #"""
            [{"path": "sendMessage", "times": 1, "status": 400,
              "body": {"ok": false, "error_code": 400, "description": "Bad Request: no bot 123456:SECRET-telegram-token here"}}]
            """#)
        let id = try await deliver(try Fixture(.telegram, "private_message"), into: t.store)
        let events = try await work(t.store, fake.configuration(), until: "the delivery is dead", isGone(t.store, id))
        let error = try await t.store.deadLetter(id: id).lastError ?? ""
        #expect(error.contains("1234***"))
        #expect(!error.contains("SECRET"))
        #expect(!settlements(events).contains { $0.error?.contains("SECRET") == true })
    }

    @Test("a credential that straddles the cut of a long error body is masked whole")
    func maskedBeforeCut() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await store()
        let body = String(repeating: "x", count: 180) + " xoxb-SECRET-slack-token was refused"
        try await fake.script(#"[{"path": "chat.postMessage", "times": 1, "status": 403, "raw": "\#(body)"}]"#)
        let id = try await deliver(try Fixture(.slack, "thread_reply"), into: t.store)
        let events = try await work(t.store, fake.configuration(), until: "the delivery is dead", isGone(t.store, id))
        let error = try await t.store.deadLetter(id: id).lastError ?? ""
        #expect(error.contains("xoxb***"), "\(error)")
        #expect(!error.contains("SECRET"), "\(error)")
        #expect(!settlements(events).contains { $0.error?.contains("SECRET") == true })
    }

    @Test(
        "a provider that echoes the outgoing text puts none of it into the job's error or the events",
        arguments: [
            (
                Provider.telegram, "private_message", "sendMessage",
                #"{"status": 400, "body": {"ok": false, "error_code": 400, "description": "Bad Request: cannot send TEXT"}}"#
            ),
            (
                Provider.slack, "thread_reply", "chat.postMessage",
                #"{"status": 400, "body": {"ok": false, "error": "invalid_blocks", "echo": "TEXT"}}"#
            ),
            (
                Provider.wecom, "group_text", "appchat/send",
                #"{"status": 200, "body": {"errcode": 40058, "errmsg": "invalid content: TEXT"}}"#
            ),
        ])
    func outgoingTextKeptOutOfErrors(provider: Provider, fixture: String, path: String, rule: String) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await store()
        let text = #"Meet me at the "harbour" at nine, and bring the papers"#
        // The rule holds the text as a JSON string: the provider's answer carries it back as it was sent.
        let asJSONString = String(decoding: JSONValue.string(text).serialized.dropFirst().dropLast(), as: UTF8.self)
        try await fake.script(
            "[" + rule.replacing("TEXT", with: asJSONString).dropLast() + #", "path": "\#(path)", "times": 1}]"#)
        let id = try await deliver(try Fixture(provider, fixture), text: text, into: t.store)
        let events = try await work(t.store, fake.configuration(), until: "the delivery is dead", isGone(t.store, id))
        let error = try await t.store.deadLetter(id: id).lastError ?? ""
        #expect(error.contains("[message text]"), "\(error)")
        #expect(!error.contains("harbour"), "\(error)")
        #expect(!settlements(events).contains { $0.error?.contains("harbour") == true })
    }

    /// The sends the fake provider received whose path contains `path`, with when each arrived.
    private func arrivals(_ fake: FakeProvider, _ path: String) async throws -> [(at: Int64, scripted: Bool)] {
        try await fake.requests().compactMap { request in
            guard (request["path"] as? String)?.contains(path) == true, let at = request["at_ns"] as? Int64 else {
                return nil
            }
            return (at, request["scripted"] as? Bool ?? false)
        }.sorted { $0.at < $1.at }
    }

    /// Delivers a reply to a Slack channel and one to a thread in it, with pacing; returns the sends.
    private func deliverToChannelAndThread(_ store: JobStore, _ fake: FakeProvider) async throws
        -> [(at: Int64, scripted: Bool)]
    {
        let channel = try await deliver(try Fixture(.slack, "channel_message"), into: store)
        let thread = try await deliver(try Fixture(.slack, "thread_reply"), turn: 2, into: store)
        _ = try await work(store, fake.configuration(pacing: true), until: "both are delivered") {
            let channelGone = try await isGone(store, channel)()
            let threadGone = try await isGone(store, thread)()
            return channelGone && threadGone
        }
        return try await arrivals(fake, "chat.postMessage")
    }

    @Test(
        "a channel and a thread in it share the channel's pace: their sends leave a second apart",
        arguments: TestBackend.all)
    func pacingCoversTheWholeChat(backend: TestBackend) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await store(backend)
        let sends = try await deliverToChannelAndThread(t.store, fake)
        try #require(sends.count == 2)
        #expect(sends[1].at - sends[0].at >= 900_000_000, "\(Double(sends[1].at - sends[0].at) / 1e6) ms apart")
    }

    @Test(
        "after a 429 in a channel, no send to that channel or a thread in it leaves before the wait is over",
        arguments: TestBackend.all)
    func slowDownHoldsTheSibling(backend: TestBackend) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await store(backend)
        try await fake.script(
            #"""
            [{"path": "chat.postMessage", "times": 1, "status": 429, "headers": {"Retry-After": "2"},
              "body": {"ok": false, "error": "ratelimited"}}]
            """#)
        let sends = try await deliverToChannelAndThread(t.store, fake)
        let refused = try #require(sends.first { $0.scripted })
        for send in sends where !send.scripted {
            #expect(send.at - refused.at >= 1_950_000_000, "\(Double(send.at - refused.at) / 1e6) ms after the 429")
        }
        #expect(sends.count == 3)
    }

    @Test(
        "after Discord's global 429, no Discord send leaves until the wait is over, whatever was already queued",
        arguments: TestBackend.all)
    func globalSlowDownHoldsQueuedSends(backend: TestBackend) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await store(backend)
        try await fake.script(
            #"""
            [{"path": "/messages", "times": 1, "status": 429,
              "body": {"message": "You are being rate limited.", "retry_after": 1, "global": true}}]
            """#)
        let guild = String(decoding: try Fixture(.discord, "guild_message").data, as: UTF8.self)
        var ids: [Int64] = []
        for channel in 0..<16 {
            let body = guild.replacing("1210987654321098765", with: "12109876543210987\(10 + channel)")
            ids.append(
                try await deliver(Fixture(.discord, body: Data(body.utf8)), turn: Int64(channel + 1), into: t.store))
        }
        let all = ids
        let pool = WorkerOptions(queues: ["chat"], concurrency: 16, leaseDuration: .seconds(10))
        _ = try await work(t.store, fake.configuration(pacing: true), options: pool, until: "all are delivered") {
            for id in all where try await !isGone(t.store, id)() { return false }
            return true
        }
        let sends = try await arrivals(fake, "/messages")
        let refused = try #require(sends.first { $0.scripted })
        // Sends already on the wire when the 429 came back may arrive just after it; none may start later.
        let early = sends.filter {
            !$0.scripted && $0.at > refused.at + 200_000_000 && $0.at < refused.at + 950_000_000
        }
        #expect(early.isEmpty, "\(early.map { Double($0.at - refused.at) / 1e6 }) ms after the 429")
        #expect(sends.count == 17)
    }
}
