import ChatStore
import Enqueuer
import Foundation
import Harness
import Queue
import Testing

@testable import Workers

/// A worker killed with SIGKILL while a file of the agent's answer is on its way to the provider: the
/// provider has it, the job has not settled. The next worker sends the job again, and what reaches the
/// chat depends on what the provider recognises: Discord's nonce and WeCom's duplicate check (with the
/// `media_id` the job kept) leave one message; Telegram, which has neither, at most two.
@Suite("Uploads through a crash", .serialized, .timeLimit(.minutes(3)))
struct UploadCrashTests {
    /// A provider's chat, the route the file's message goes to, and how many of those may reach the chat.
    struct Case {
        let provider: Provider
        let fixture: String
        let route: ProviderRoute
        /// What of the route's path the fake's rule holds the answer of.
        let held: String
        /// The file's message is the request to `route` after this many others (the text before it).
        let skip: Int
        let mostPosted: Int
    }

    static let cases = [
        Case(
            provider: .discord, fixture: "guild_message", route: .discordMessages, held: "/messages", skip: 1,
            mostPosted: 1),
        Case(
            provider: .wecom, fixture: "single_text", route: .wecomDirect, held: "/cgi-bin/message/send", skip: 1,
            mostPosted: 1),
        Case(
            provider: .telegram, fixture: "private_message", route: .telegramSendPhoto, held: "/sendPhoto", skip: 0,
            mostPosted: 2),
    ]

    @Test(
        "a worker killed while the provider holds its file's message leaves no duplicate where the provider dedupes",
        arguments: cases.indices)
    func killedMidUpload(index: Int) async throws {
        let chat = Self.cases[index]
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let db = directory.databasePath
        let config = try PipelineTests.configFile(fake, in: directory)
        try await fake.script(
            #"""
            [{"path": "/agent", "body": {"reply": "Here", "attachments": [{"data_base64": "\#(AttachmentTests.png.base64EncodedString())", "file_name": "chart.png"}]}},
             {"path": "\#(chat.held)", "skip": \#(chat.skip), "pass": true, "delay_ms": 20000}]
            """#)
        let store = try await SwitchboardDatabase.open(.sqlite(path: db))
        try await store.enqueue(
            NewJob(
                queue: "chat", kind: ChatJob.turn,
                payload: ChatJob.turnPayload(try Fixture(chat.provider, chat.fixture).event())))
        let arguments = ["work", "--config", config, "--lease", "2", "--json"]
        let doomed = try SwitchboardProcess.start(arguments, database: db)
        let fileMessages = { @Sendable () async throws -> [[String: Any]] in
            try await fake.requests().filter { chat.route.matches($0["path"] as? String ?? "") }.dropFirst(chat.skip)
                .map { $0 }
        }
        try await waitUntil("the provider has the file's message") { try await fileMessages().count == 1 }
        doomed.signal(SIGKILL)
        _ = await doomed.finish()
        let next = try SwitchboardProcess.start(arguments, database: db)
        defer { next.signal(SIGKILL) }
        try await waitUntil("the next worker has sent everything", timeout: .seconds(60)) {
            try await store.stats().totals.values.reduce(0, +) == 0
        }
        let sent = try await fileMessages()
        #expect(sent.count == 2, "the file's message was sent again after the crash")
        let posted = sent.filter { ($0["deduplicated"] as? Bool) != true }
        #expect(posted.count >= 1 && posted.count <= chat.mostPosted, "\(chat.provider): \(sent)")
        if chat.provider == .wecom {
            let uploads = try await fake.requests().filter {
                ProviderRoute.wecomMediaUpload.matches($0["path"] as? String ?? "")
            }
            #expect(uploads.count == 1, "the retry sent the media_id the job kept instead of uploading again")
        }
    }

    @Test("a worker stopped while it fetches an answer's file leaves the turn to the next, which sends the file")
    func stoppedMidFetch() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let db = directory.databasePath
        let config = try PipelineTests.configFile(fake, in: directory)
        let png = AttachmentTests.png.base64EncodedString()
        try await fake.script(
            #"""
            [{"path": "/agent", "times": 2, "body": {"reply": "Here", "attachments": [{"url": "\#(fake.baseURL)/slow/chart.png"}]}},
             {"path": "/slow/", "raw_base64": "\#(png)", "delay_ms": 30000},
             {"path": "/slow/", "raw_base64": "\#(png)"}]
            """#)
        let store = try await SwitchboardDatabase.open(.sqlite(path: db))
        try await store.enqueue(
            NewJob(
                queue: "chat", kind: ChatJob.turn,
                payload: ChatJob.turnPayload(try Fixture(.telegram, "private_message").event())))
        let stopped = try SwitchboardProcess.start(["work", "--config", config], database: db)
        try await waitUntil("the worker is fetching the file") {
            try await fake.requests().contains { ($0["path"] as? String)?.hasPrefix("/slow/") == true }
        }
        stopped.signal(SIGTERM)
        let ended = await stopped.finish()
        #expect(ended.status == 0, "\(ended.stderr)")
        let drained = try await SwitchboardProcess.run(["work", "--config", config, "--drain"], database: db)
        #expect(drained.status == 0, "\(drained.stderr)")
        let requests = try await fake.requests()
        let texts = requests.compactMap { $0["text"] as? String }
        #expect(!texts.contains { $0.contains("could not be sent") }, "\(texts)")
        let photos = requests.filter { ProviderRoute.telegramSendPhoto.matches($0["path"] as? String ?? "") }
        #expect(photos.count == 1, "the file was sent once, by the next worker")
        #expect(
            (photos.first?["form"] as? [[String: Any]])?.contains { $0["file_name"] as? String == "chart.png" } == true)
    }
}
