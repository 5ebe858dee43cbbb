import Enqueuer
import Foundation
import Harness
import JSON
import Queue
import Testing
import Workers

/// An agent's answer is cut to `max_answer_characters`, with a marker saying how much was left out, both
/// in its final text and while it streams; the cut is logged without any of the text.
@Suite("Answers past the size cap", .serialized, .timeLimit(.minutes(3)))
struct AnswerLimitTests {
    static func marker(_ omitted: Int) -> String {
        "\n… [answer cut: \(omitted) characters more]"
    }

    @Test("a 100,000-character answer is cut at the configured cap, marked, delivered in a few messages, and logged")
    func cutAndLogged() async throws {
        let directory = try TestDirectory()
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let answer = String(repeating: "confidential ", count: 100_000 / 13 + 1).prefix(100_000)
        try await fake.script(
            String(
                decoding: JSONValue.array([
                    .object(
                        JSONObject([
                            "path": .string("/agent"), "times": .integer(1),
                            "body": .object(JSONObject(["reply": .string(String(answer))])),
                        ]))
                ]).serialized, as: UTF8.self))
        guard case .object(var configuration) = try JSONParser.parse(Data(fake.configuration.utf8)) else {
            throw HarnessFailure("the fake provider's configuration is not an object")
        }
        configuration.set("agent", .object(JSONObject(["url": .string(fake.baseURL + "/agent")])))
        configuration.set("max_answer_characters", .integer(10_000))
        let config = directory.path("config.json")
        try JSONValue.object(configuration).serialized.write(to: URL(fileURLWithPath: config))
        let intake = try await SwitchboardProcess.run(
            ["intake", "--provider", "telegram"], database: directory.databasePath,
            stdin: String(decoding: try Fixture(.telegram, "private_message").data, as: UTF8.self))
        #expect(intake.status == 0, "\(intake.stderr)")
        let worker = try await SwitchboardProcess.run(
            ["work", "--config", config, "--drain"], database: directory.databasePath)
        #expect(worker.status == 0, "\(worker.stderr)")
        let sent = try await fake.requests().filter { ($0["path"] as? String)?.hasSuffix("/sendMessage") == true }
            .compactMap { $0["text"] as? String }
        #expect(sent.count == 3, "10,000 characters and the marker: three Telegram messages, not 25")
        #expect(sent.joined() == answer.prefix(10_000) + Self.marker(90_000))
        let cut = worker.stderr.split(separator: "\n").filter { $0.contains("answer") && $0.contains("cut") }
        #expect(cut.count == 1 && cut[0].contains("10000") && cut[0].contains("90000"), "\(worker.stderr)")
        #expect(!worker.stderr.contains("confidential"), "no message text in the log")
    }

    @Test("a streamed answer past the cap: live edits never show more than the cap, the final text is marked")
    func cutWhileStreaming() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let test = try await TestStore(.sqlite) { $0.clock = SystemClock() }
        var configuration = fake.configuration(pacing: true)
        configuration.agent = .echoStream(pause: .milliseconds(5))
        configuration.maxAnswerCharacters = 1_000
        let text = LiveReplyTests.words(400)
        let fixture = try Fixture(.telegram, "private_message").editing("message.text", to: .string(text))
        #expect(try await Intake(store: test.store).receive(fixture.delivery).status == .enqueued)
        _ = try await work(test.store, configuration, until: "the turn is answered") {
            try await test.store.stats().totals.values.reduce(0, +) == 0
        }
        let answer = "echo: " + text
        let shown = LiveReplyTests.shown(try await fake.requests())
        #expect(shown.count { !LiveReplyTests.isEdit($0) } == 1, "one message: \(shown.map(\.path))")
        #expect(shown.dropLast().allSatisfy { $0.text.count <= 1_000 && answer.hasPrefix($0.text) })
        #expect(shown.last?.text == answer.prefix(1_000) + Self.marker(answer.count - 1_000))
    }
}
