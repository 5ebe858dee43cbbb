import ChatStore
import Enqueuer
import Foundation
import HTTPClient
import Harness
import JSON
import Queue
import Testing
import Workers

/// `switchboard serve` as a provider meets it: a separate process, real HTTP over loopback (libcurl as
/// the client), real databases.
@Suite("Receiving webhooks with serve", .serialized, .timeLimit(.minutes(3)))
struct ServeTests {
    static let slackSecret = "slack-signing-SECRET"
    static let telegramSecret = "telegram-SECRET-token"
    static let dingTalkSecret = "SECRET-dingtalk-secret"
    static let intakeToken = "intake-SECRET-token-at-least-32-characters"

    /// A configuration with every provider's webhook secret (and the fake provider's credentials).
    static func configuration(in directory: TestDirectory) throws -> String {
        let text = """
            {"intake": {"token": "\(intakeToken)"},
             "providers": {
               "telegram": {"bot_token": "123456:SECRET-telegram-token", "secret_token": "\(telegramSecret)"},
               "slack": {"bot_token": "xoxb-SECRET", "signing_secret": "\(slackSecret)"},
               "dingtalk": {"app_key": "dingtestkey", "app_secret": "\(dingTalkSecret)"},
               "feishu": {"app_id": "cli_test", "app_secret": "SECRET-feishu", "verification_token": "\(WebhookGateTests.feishuToken)",
                          "encrypt_key": "\(WebhookGateTests.feishuKey)"},
               "wecom": {"corp_id": "wx5823bf96d3bd56c7", "corp_secret": "SECRET-wecom", "agent_id": "1",
                         "token": "QDG6eK", "encoding_aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"}}}
            """
        let path = directory.path("serve.json")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func telegramUpdate(_ id: Int, chat: Int = 42, text: String = "hello") -> String {
        #"{"update_id":\#(id),"message":{"message_id":\#(id),"from":{"id":\#(chat),"is_bot":false,"first_name":"U"},"chat":{"id":\#(chat),"type":"private"},"date":1732262400,"text":"\#(text)"}}"#
    }

    static func slackEvent(_ id: Int, channel: String = "C1", text: String = "hello") -> String {
        #"{"type":"event_callback","team_id":"T1","event_id":"Ev\#(id)","event":{"type":"message","user":"U1","channel":"\#(channel)","text":"\#(text)","ts":"1732262400.\#(1000 + id)","channel_type":"channel"}}"#
    }

    @Test(
        "signed webhooks of five providers and forwarded events are committed; what is refused writes nothing",
        arguments: TestBackend.all)
    func routes(backend: TestBackend) async throws {
        let directory = try TestDirectory()
        let location = try await backend.newDatabase(in: directory)
        let server = try await TestServer(
            ["--config", try Self.configuration(in: directory)], database: location.connectionText)
        defer { server.child.signal(SIGKILL) }
        #expect(try await server.send(.get, "/healthz").status == 200)
        // Readiness answers within 500 ms or says no (ReadinessMeasuredAlone times it on a quiet machine);
        // inside the full, loaded run its first answer may be a no.
        try await waitUntil("serve is ready") { try await server.send(.get, "/readyz").status == 200 }

        // Refused: not authentic (401, the same answer whichever check failed), no such route or provider
        // not configured (404), unreadable (415, 400, 422).
        let update = Self.telegramUpdate(1)
        let slack = Self.slackEvent(1)
        let stale = Int64(Date().timeIntervalSince1970) - 301
        var tamperedFeishu = WebhookGateTests.feishuRequest(signature: String(repeating: "0", count: 64)).headers
        tamperedFeishu["content-type"] = "application/json"
        let refusals: [(expected: Int, answer: (status: Int, body: String))] = [
            (
                401,
                try await server.post(
                    "/webhooks/telegram", update, headers: [("X-Telegram-Bot-Api-Secret-Token", "nope")])
            ),
            (401, try await server.post("/webhooks/telegram", update)),
            (
                401,
                try await server.post("/webhooks/slack", slack, headers: WebhookSigner.slack(slack, secret: "wrong"))
            ),
            (
                401,
                try await server.post(
                    "/webhooks/slack", slack + " ", headers: WebhookSigner.slack(slack, secret: Self.slackSecret))
            ),
            (
                401,
                try await server.post(
                    "/webhooks/slack", slack, headers: WebhookSigner.slack(slack, secret: Self.slackSecret, at: stale))
            ),
            (401, try await server.post("/webhooks/dingtalk", "{}", headers: WebhookSigner.dingTalk(secret: "wrong"))),
            (
                401,
                try await server.post(
                    "/webhooks/feishu", String(decoding: WebhookGateTests.feishuEvent, as: UTF8.self),
                    headers: tamperedFeishu.map { ($0.key, $0.value) })
            ),
            (
                401,
                try await server.send(
                    .get,
                    "/webhooks/wecom?"
                        + Self.query(
                            WebhookGateTests.weComVerification(signature: String(repeating: "1", count: 40)).query))
            ),
            (401, try await server.post("/intake/discord", "{}", headers: [("Authorization", "Bearer nope")])),
            (401, try await server.post("/intake/discord", "{}")),
            (404, try await server.post("/webhooks/discord", "{}")),
            (404, try await server.post("/webhooks/wechat", "{}")),
            (
                404,
                try await server.post(
                    "/intake/nowhere", "{}", headers: [("Authorization", "Bearer \(Self.intakeToken)")])
            ),
            (404, try await server.send(.get, "/webhooks/slack")),
            (404, try await server.send(.get, "/")),
            (
                415,
                try await server.send(
                    .post, "/intake/telegram",
                    headers: [("Authorization", "Bearer \(Self.intakeToken)"), ("Content-Type", "text/plain")],
                    body: Data(update.utf8))
            ),
            (
                400,
                try await server.post(
                    "/intake/telegram", "{\"update_id\":", headers: [("Authorization", "Bearer \(Self.intakeToken)")])
            ),
            (
                422,
                try await server.post(
                    "/intake/telegram", #"{"message":{"text":"hi"}}"#,
                    headers: [("Authorization", "Bearer \(Self.intakeToken)")])
            ),
        ]
        for (index, refusal) in refusals.enumerated() {
            #expect(refusal.answer.status == refusal.expected, "refusal \(index): \(refusal.answer)")
        }
        #expect(
            refusals.filter { $0.expected == 401 }.allSatisfy {
                $0.answer.body == #"{"error":"the request is not authentic"}"#
            })
        #expect(refusals.last?.answer.body.contains("update_id") == true, "the rejection names the field")
        let store = try await SwitchboardDatabase.open(location)
        #expect(try await store.stats().totals.values.reduce(0, +) == 0, "nothing refused was written")
        #expect(try await store.stats().dedupeKeysHeld == 0)

        // Accepted: each provider's check passes, the event is committed, then answered.
        let telegramHeaders = [("X-Telegram-Bot-Api-Secret-Token", Self.telegramSecret)]
        let first = try await server.post("/webhooks/telegram", update, headers: telegramHeaders)
        #expect(first.status == 200 && TestServer.intakeStatus(first.body) == "enqueued", "\(first)")
        let again = try await server.post("/webhooks/telegram", update, headers: telegramHeaders)
        #expect(again.status == 200 && TestServer.intakeStatus(again.body) == "duplicate", "\(again)")
        let slackAnswer = try await server.post(
            "/webhooks/slack", slack, headers: WebhookSigner.slack(slack, secret: Self.slackSecret))
        #expect(slackAnswer.status == 200 && TestServer.intakeStatus(slackAnswer.body) == "enqueued", "\(slackAnswer)")
        let challenge =
            #"{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#
        let verified = try await server.post(
            "/webhooks/slack", challenge, headers: WebhookSigner.slack(challenge, secret: Self.slackSecret))
        #expect(
            verified.status == 200
                && verified.body.contains(#""challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P""#))
        let dingTalk = String(decoding: try Fixture(.dingtalk, "direct_text").data, as: UTF8.self)
        let dingTalkAnswer = try await server.post(
            "/webhooks/dingtalk", dingTalk, headers: WebhookSigner.dingTalk(secret: Self.dingTalkSecret))
        #expect(
            dingTalkAnswer.status == 200 && TestServer.intakeStatus(dingTalkAnswer.body) == "enqueued",
            "\(dingTalkAnswer)")
        let feishuHeaders =
            WebhookGateTests.feishuRequest().headers.map { ($0.key, $0.value) } + [("Content-Type", "application/json")]
        let feishuAnswer = try await server.send(
            .post, "/webhooks/feishu", headers: feishuHeaders, body: WebhookGateTests.feishuEvent)
        #expect(
            feishuAnswer.status == 200 && TestServer.intakeStatus(feishuAnswer.body) == "enqueued", "\(feishuAnswer)")
        let weComAnswer = try await server.send(
            .post, "/webhooks/wecom?" + Self.query(WebhookGateTests.weComMessage().query),
            headers: [("Content-Type", "application/json")],
            body: WebhookGateTests.weComBody)
        #expect(weComAnswer.status == 200 && TestServer.intakeStatus(weComAnswer.body) == "enqueued", "\(weComAnswer)")
        let echo = try await server.send(
            .get, "/webhooks/wecom?" + Self.query(WebhookGateTests.weComVerification().query))
        #expect(echo.status == 200 && echo.body == "1616140317555161061")
        let discord =
            #"{"op":0,"s":1,"t":"MESSAGE_CREATE","d":{"id":"7000001","channel_id":"91","guild_id":"G1","author":{"id":"71"},"content":"hi","type":0}}"#
        let forwarded = try await server.post(
            "/intake/discord", discord, headers: [("Authorization", "Bearer \(Self.intakeToken)")])
        #expect(forwarded.status == 200 && TestServer.intakeStatus(forwarded.body) == "enqueued", "\(forwarded)")
        #expect(try await store.stats().totals[.ready] == 6)

        // The exposition, read by the prometheus-client parser.
        let metrics = try await server.send(.get, "/metrics")
        #expect(metrics.status == 200)
        let samples = try await Self.parsePrometheus(metrics.body)
        #expect(samples[#"switchboard_jobs{queue="chat",state="ready"}"#] == 6)
        #expect(samples[#"switchboard_dead_letters{queue="chat"}"#] == 0)
        #expect(samples[#"switchboard_intake_total{provider="telegram",status="duplicate"}"#] == 1)
        #expect(
            samples[#"switchboard_intake_total{provider="telegram",status="rejected"}"#] == 2, "the 400 and the 422")
        #expect(samples[#"switchboard_intake_total{provider="slack",status="ignored"}"#] == 1)
        #expect(samples[#"switchboard_http_request_duration_seconds_count{}"#] ?? 0 >= 28)
        #expect(samples[#"switchboard_oldest_ready_age_seconds{queue="chat"}"#] != nil)

        server.child.signal(SIGTERM)
        let ended = await server.child.finish()
        #expect(ended.status == 0, "\(ended.stderr)")
        #expect(!ended.stderr.contains("SECRET"), "no secret in serve's log")
    }

    @Test("hostile Slack and DingTalk timestamps get 401, and serve stays up")
    func hostileTimestamps() async throws {
        let directory = try TestDirectory()
        let server = try await TestServer(
            ["--config", try Self.configuration(in: directory)], database: directory.databasePath)
        defer { server.child.signal(SIGKILL) }
        let slack = Self.slackEvent(1)
        for timestamp in WebhookGateTests.hostileTimestampHeaders {
            let signature = WebhookSigner.slack(slack, secret: Self.slackSecret)[1]
            let slackAnswer = try await server.post(
                "/webhooks/slack", slack, headers: [("X-Slack-Request-Timestamp", timestamp), signature])
            #expect(slackAnswer.status == 401, "Slack, timestamp \(timestamp): \(slackAnswer)")
            let dingTalkSign = WebhookSigner.dingTalk(secret: Self.dingTalkSecret)[1]
            let dingTalkAnswer = try await server.post(
                "/webhooks/dingtalk", "{}", headers: [("timestamp", timestamp), dingTalkSign])
            #expect(dingTalkAnswer.status == 401, "DingTalk, timestamp \(timestamp): \(dingTalkAnswer)")
        }
        #expect(server.child.exitStatus == nil, "serve is still running")
        #expect(try await server.send(.get, "/healthz").status == 200)
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        #expect(try await store.stats().totals.values.reduce(0, +) == 0, "nothing refused was written")
    }

    static func query(_ parameters: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return parameters.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
    }

    /// Every sample of an exposition as `name{label="value",...}` (labels sorted) → value, through the
    /// `prometheus_client` parser, which refuses text that breaks the format.
    static func parsePrometheus(_ text: String) async throws -> [String: Double] {
        let script = """
            import sys, json
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    labels = ",".join('%s="%s"' % (k, v) for k, v in sorted(s.labels.items()))
                    out["%s{%s}" % (s.name, labels)] = s.value
            print(json.dumps(out))
            """
        let python = try SwitchboardChild(
            executable: "/usr/bin/python3", arguments: ["-c", script], errorOutput: .capture)
        python.write(text)
        python.closeInput()
        let finished = await python.finish()
        guard finished.status == 0 else {
            throw HarnessFailure("the Prometheus parser refused the exposition: \(finished.stderr)")
        }
        return try JSONSerialization.jsonObject(with: Data(finished.stdout.utf8)) as? [String: Double] ?? [:]
    }

    @Test("a body over 1 MiB gets 413; stalled clients hold no thread; 256 requests on 64 connections at once")
    func limits() async throws {
        let directory = try TestDirectory()
        let server = try await TestServer(
            ["--config", try Self.configuration(in: directory), "--threads", "1", "--connection-timeout", "3"],
            database: directory.databasePath, clientThreads: 64)
        defer { server.child.signal(SIGKILL) }
        let bearer = [("Authorization", "Bearer \(Self.intakeToken)")]
        let big = String(repeating: " ", count: (1 << 20) + 1)
        #expect(try await server.post("/intake/telegram", big, headers: bearer).status == 413)
        #expect(
            try await server.post(
                "/intake/telegram", String(repeating: " ", count: 1 << 19) + Self.telegramUpdate(1), headers: bearer
            ).status == 200)

        // Clients that send half a request and stall: with one server thread, a request behind them is
        // still answered well within their timeout, and they are cut off at it.
        let stalled = try (0..<32).map { index in
            let connection = try RawConnection(port: server.process.port)
            connection.send(index.isMultiple(of: 2) ? "POST /intake/telegram HTTP/1.1\r\nHost: x\r\n" : "GET /hea")
            return connection
        }
        #expect(try await server.send(.get, "/healthz", timeout: .seconds(2)).status == 200)
        for connection in stalled {
            #expect(await connection.waitForClose(timeout: .seconds(20)) != nil, "a stalled client is cut off")
        }

        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let answers = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<256 {
                group.addTask {
                    try await server.post(
                        "/intake/telegram", Self.telegramUpdate(100 + index, chat: index), headers: bearer
                    ).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(answers.count == 256 && answers.allSatisfy { $0 == 200 })
        #expect(try await store.stats().totals.values.reduce(0, +) == 257)
    }

    /// On SQLite only: what is tested is the server's stop, the same on either backend, and SQLite's
    /// write turnstile is the one hold a test can place in front of an intake write without the store.
    @Test("SIGTERM: no new connections, the request in flight is answered once committed, exit 0")
    func gracefulStop() async throws {
        let directory = try TestDirectory()
        let location = StoreLocation.sqlite(path: directory.databasePath)
        // The held write must outlast the steps below, however slow the machine: a long write timeout.
        let child = try SwitchboardProcess.start(
            ["--json", "serve", "--listen", "127.0.0.1:0", "--write-timeout", "60"], database: location.connectionText,
            environment: ["SWITCHBOARD_INTAKE_TOKEN": Self.intakeToken])
        let server = try await ServeProcess(child)
        defer { child.signal(SIGKILL) }
        let client = HTTPClient(maxInFlight: 2)
        // No secrets configured: every webhook route is closed.
        #expect(try await client.send(.json(server.baseURL + "/webhooks/telegram", Data("{}".utf8))).status == 404)

        let held = try BehindTheStore.holdChatWrites(on: location)
        let inFlight = Task {
            try await client.send(
                .json(
                    server.baseURL + "/intake/telegram", Data(Self.telegramUpdate(1).utf8),
                    headers: [("Authorization", "Bearer \(Self.intakeToken)")]))
        }
        try await waitUntil("the request waits for the database") { held.hasWaiter }
        child.signal(SIGTERM)
        try await waitUntil("serve stops accepting connections") {
            (try? RawConnection(port: server.port)) == nil
        }
        held.release()
        let answer = try await inFlight.value
        #expect(answer.status == 200 && String(decoding: answer.body, as: UTF8.self).contains(#""status":"enqueued""#))
        let ended = await child.finish()
        #expect(ended.status == 0, "\(ended.stderr)")
        let store = try await SwitchboardDatabase.open(location)
        #expect(try await store.stats().totals[.ready] == 1)
    }

    @Test(
        "the pipeline from serve: webhooks in, each delivered twice, one reply per message at the fake provider",
        arguments: TestBackend.all)
    func pipeline(backend: TestBackend) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let location = try await backend.newDatabase(in: directory)
        let config = directory.path("pipeline.json")
        var text = String(
            decoding: try Data(contentsOf: URL(fileURLWithPath: try Self.configuration(in: directory))), as: UTF8.self)
        text = text.replacing(
            #""providers": {"#,
            with:
                #""agent": {"url": "\#(fake.baseURL)/agent"}, "links": {"mode": "open", "default_owner": "acct_owner"}, "providers": {"#
        )
        text = text.replacing(#""bot_token""#, with: #""base_url": "\#(fake.baseURL)", "bot_token""#)
        try Data(text.utf8).write(to: URL(fileURLWithPath: config))
        let server = try await TestServer(["--config", config], database: location.connectionText)
        defer { server.child.signal(SIGKILL) }
        let worker = try SwitchboardProcess.start(
            ["work", "--config", config, "--json"], database: location.connectionText)
        defer { worker.signal(SIGKILL) }

        var texts: [String] = []
        for index in 0..<6 {
            let telegramText = "tg message \(index)"
            let slackText = "slack message \(index)"
            texts += [telegramText, slackText]
            let update = Self.telegramUpdate(500 + index, chat: 42 + index % 2, text: telegramText)
            let event = Self.slackEvent(500 + index, channel: "C\(index % 2)", text: slackText)
            for _ in 0..<2 {
                #expect(
                    try await server.post(
                        "/webhooks/telegram", update,
                        headers: [("X-Telegram-Bot-Api-Secret-Token", Self.telegramSecret)]
                    ).status == 200)
                #expect(
                    try await server.post(
                        "/webhooks/slack", event, headers: WebhookSigner.slack(event, secret: Self.slackSecret)
                    ).status == 200)
            }
        }
        let store = try await SwitchboardDatabase.open(location)
        try await waitUntil("every turn is answered", timeout: .seconds(60)) {
            try await store.stats().totals.values.reduce(0, +) == 0
        }
        let sent = try await fake.requests().compactMap(PipelineTests.sent).flatMap { PipelineTests.answers($0.text) }
        #expect(sent.sorted() == texts.sorted(), "each message answered once, redeliveries absorbed")
        worker.signal(SIGTERM)
        #expect(await worker.finish().status == 0)
        // The stopped worker's last word carries its counts: every send the fake provider answered.
        let sends = try await fake.requests().compactMap(PipelineTests.sent).count
        let samples = try await Self.parsePrometheus(try await server.send(.get, "/metrics").body)
        let delivered =
            (samples[#"switchboard_sends_total{outcome="delivered",provider="telegram"}"#] ?? 0)
            + (samples[#"switchboard_sends_total{outcome="delivered",provider="slack"}"#] ?? 0)
        #expect(Int(delivered) == sends, "\(samples.filter { $0.key.contains("sends") })")
        #expect(samples[#"switchboard_workers{state="gone"}"#] == 1)
    }

    @Test("a WeCom EncodingAESKey that cannot be a key is refused at start, naming the setting, before the database")
    func badWeComKey() async throws {
        let directory = try TestDirectory()
        let config = directory.path("bad.json")
        try Data(#"{"providers": {"wecom": {"token": "t", "encoding_aes_key": "tooShort"}}}"#.utf8)
            .write(to: URL(fileURLWithPath: config))
        let result = try await SwitchboardProcess.run(
            ["serve", "--config", config, "--listen", "127.0.0.1:0"], database: directory.databasePath)
        #expect(result.status == 65)
        #expect(result.stderr.contains("providers.wecom.encoding_aes_key"))
        #expect(!FileManager.default.fileExists(atPath: directory.databasePath))
    }
}
