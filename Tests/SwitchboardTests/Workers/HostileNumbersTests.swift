import Enqueuer
import Foundation
import Harness
import JSON
import Queue
import Testing

@testable import HTTPClient
@testable import Workers

/// Numbers from outside (a provider's `retry_after` and `Retry-After`, a poll's `update_id`) never trap,
/// however large, negative or malformed: they are bounded or refused.
@Suite("Hostile numbers from providers", .serialized, .timeLimit(.minutes(3)))
struct HostileNumbersTests {
    static let waits: [(Double?, Duration)] = [
        (nil, .seconds(1)), (-1, .seconds(1)), (0, .seconds(1)), (.nan, .seconds(1)), (-.infinity, .seconds(1)),
        (.infinity, RateHold.longest), (1e308, RateHold.longest), (Double(Int64.max), RateHold.longest),
        (0.0011, .milliseconds(2)), (30, .seconds(30)),
    ]

    @Test(
        "a provider's wait in seconds: huge is a week at most, negative or not a number is the fallback",
        arguments: waits)
    func providerWait(seconds: Double?, wait: Duration) {
        #expect(Duration.providerWait(seconds) == wait)
    }

    /// A date of 1994 is about a billion seconds ago.
    static let past: ClosedRange<Double> = -1e12 ... -9e8

    static let headers: [(String, ClosedRange<Double>?)] = [
        ("120", 120...120), ("1.5", 1.5...1.5), ("-5", -5 ... -5), ("1e308", 1e308...1e308),
        ("9999999999999999999999", 1e22...1e22), ("nan", nil), ("inf", nil), ("-inf", nil), ("soon", nil), ("", nil),
        ("Sun, 06 Nov 1994 08:49:37 GMT", past), ("Sunday, 06-Nov-94 08:49:37 GMT", past),
        ("Sun Nov  6 08:49:37 1994", past), ("Sun, 06 Nov 1994 25:49:37 GMT", nil),
    ]

    @Test(
        "Retry-After: seconds (with a fraction), an HTTP-date in any of its three forms, and nothing for the rest",
        arguments: headers)
    func retryAfter(header: String, seconds: ClosedRange<Double>?) {
        let response = HTTPResponse(status: 429, headers: ["retry-after": header], body: Data())
        if let seconds {
            #expect(response.retryAfterSeconds.map(seconds.contains) == true, "\(response.retryAfterSeconds ?? .nan)")
        } else {
            #expect(response.retryAfterSeconds == nil)
        }
    }

    @Test("an HTTP-date a few seconds ahead is a wait of those seconds")
    func retryAfterDateAhead() throws {
        let ahead = Date(timeIntervalSinceNow: 30)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let response = HTTPResponse(status: 429, headers: ["retry-after": formatter.string(from: ahead)], body: Data())
        let seconds = try #require(response.retryAfterSeconds)
        #expect((28...30).contains(seconds), "\(seconds)")
    }

    @Test("a rate hold of any length is written and read back without overflow", arguments: TestBackend.all)
    func holdBounds(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        try await t.store.hold([
            RateHold(bucket: "a", for: .seconds(Int64.max)), RateHold(bucket: "b", for: .seconds(-Int64.max)),
        ])
        #expect(try await t.store.holdRemaining(buckets: ["a"]) == RateHold.longest)
        #expect(try await t.store.holdRemaining(buckets: ["b"]) == nil)
    }

    @Test("429s with retry_after 1e308, NaN or an HTTP-date: the worker lives, each job waits a week at most")
    func hostileWaitsThroughTheFakeProvider() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let test = try await TestStore(.sqlite) { $0.clock = SystemClock() }
        let config = test.directory.path("config.json")
        try fake.configuration.write(toFile: config, atomically: true, encoding: .utf8)
        let inFiveSeconds = DateFormatter()
        inFiveSeconds.locale = Locale(identifier: "en_US_POSIX")
        inFiveSeconds.timeZone = TimeZone(identifier: "GMT")
        inFiveSeconds.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = inFiveSeconds.string(from: Date(timeIntervalSinceNow: 5))
        try await fake.script(
            #"""
            [{"path": "/sendMessage", "times": 1, "status": 429,
              "body": {"ok": false, "error_code": 429, "parameters": {"retry_after": 1e308}}},
             {"path": "/messages", "times": 1, "status": 429, "headers": {"Retry-After": "1e308"},
              "body": {"message": "You are being rate limited.", "retry_after": 1e308, "global": false}},
             {"path": "chat.postMessage", "times": 1, "status": 429, "headers": {"Retry-After": "nan"},
              "body": {"ok": false, "error": "ratelimited"}},
             {"path": "sendmessage", "times": 1, "status": 429, "headers": {"Retry-After": "\#(date)"}}]
            """#)
        var ids: [Provider: Int64] = [:]
        for (provider, fixture) in [
            (Provider.telegram, "private_message"), (.discord, "guild_message"), (.slack, "thread_reply"),
            (.wechat, "text"),
        ] {
            let message = OutboundMessage(
                provider: provider, target: try Fixture(provider, fixture).event().replyTarget, text: "hello",
                part: 1, parts: 1, turnID: 1)
            ids[provider] =
                try await test.store.enqueue(NewJob(queue: "chat", kind: ChatJob.deliver, payload: message.payload))
                .jobID
        }
        let worker = try SwitchboardProcess.start(
            ["work", "--config", config], database: test.location.connectionText)
        try await waitUntil("Slack's and WeChat's replies are delivered, Telegram's and Discord's snoozed") {
            let slack = try await test.store.job(id: ids[.slack]!)
            let wechat = try await test.store.job(id: ids[.wechat]!)
            let telegram = try await test.store.job(id: ids[.telegram]!)
            let discord = try await test.store.job(id: ids[.discord]!)
            return slack == nil && wechat == nil && telegram?.state == .scheduled && discord?.state == .scheduled
        }
        worker.signal(SIGTERM)
        let finished = await worker.finish()
        #expect(finished.status == 0, "the worker lived: \(finished.stderr)")
        let now = test.store.clock.now()
        for provider in [Provider.telegram, .discord] {
            let runAt = try #require(try await test.store.job(id: ids[provider]!)?.runAt)
            #expect(runAt - now > RateHold.longest - .seconds(60) && runAt - now <= RateHold.longest, "\(provider)")
        }
        let requests = try await fake.requests()
        let wechat = requests.filter { ($0["path"] as? String) == "/ilink/bot/sendmessage" }
            .compactMap { ($0["at_ns"] as? NSNumber)?.int64Value }
        try #require(wechat.count == 2)
        let until = try #require(inFiveSeconds.date(from: date))
        #expect(Double(wechat[1]) / 1e9 >= until.timeIntervalSince1970, "not before the HTTP-date")
    }

    @Test("Telegram: an update_id past the API's range (Int64.max) is refused as a failed poll; the poller lives")
    func updateIDOutOfRange() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let config = try PollTests.configuration(fake, in: directory)
        try await fake.queueUpdates(#"{"telegram": [\#(ServeTests.telegramUpdate(Int.max))]}"#)
        let poller = try SwitchboardProcess.start(
            ["poll", "--provider", "telegram", "--config", config, "--poll-timeout", "1"],
            database: directory.databasePath)
        try await waitUntil("the poll is tried again after the failure") {
            try await PollTests.telegramOffsets(fake).count >= 2
        }
        poller.signal(SIGTERM)
        let finished = await poller.finish()
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stderr.contains("update_id out of range"), "\(finished.stderr)")
    }
}
