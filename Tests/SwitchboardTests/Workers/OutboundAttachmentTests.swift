import ChatStore
import Enqueuer
import Foundation
import HTTPClient
import Harness
import Queue
import Testing

@testable import Workers

/// The agent's files sent to each provider: uploaded through its upload route (the fake provider reads
/// the multipart bodies with libmicrohttpd's post processor), after the answer's text and in order, with
/// their captions, within the provider's limits.
@Suite("The agent's files reach the chat", .serialized, .timeLimit(.minutes(4)))
struct OutboundAttachmentTests {
    static let png = AttachmentTests.png
    static let pdf = Data("%PDF-1.7\n".utf8) + Data((0..<4000).map { UInt8($0 % 193) })

    /// One provider's chat, and what its messages with a file look like at the fake.
    struct Case {
        let provider: Provider
        let fixture: String
        /// Sends the answer makes: the text, the image (and its caption where it is a message of its own),
        /// the PDF.
        let sends: Int
        /// Whether the caption goes with the file rather than as a text message before it.
        let captionWithFile: Bool
    }

    static let cases = [
        Case(provider: .telegram, fixture: "private_message", sends: 3, captionWithFile: true),
        Case(provider: .discord, fixture: "guild_message", sends: 3, captionWithFile: true),
        Case(provider: .slack, fixture: "thread_reply", sends: 3, captionWithFile: true),
        Case(provider: .feishu, fixture: "group_message", sends: 4, captionWithFile: false),
        Case(provider: .dingtalk, fixture: "group_text", sends: 4, captionWithFile: false),
        Case(provider: .wecom, fixture: "group_text", sends: 4, captionWithFile: false),
        Case(provider: .wechat, fixture: "text", sends: 4, captionWithFile: false),
    ]

    /// The agent's answer, scripted at the fake: text, an image by URL with a caption, a PDF inline.
    static func agentAnswer(_ fake: FakeProvider, imageBytes: Int = 4_000) -> String {
        #"""
        [{"path": "/agent", "body": {"reply": "Here you are", "attachments": [
            {"url": "\#(fake.baseURL)/_fake/files/chart.png?bytes=\#(imageBytes)", "file_name": "chart.png", "caption": "a chart"},
            {"data_base64": "\#(pdf.base64EncodedString())", "file_name": "../report.pdf", "content_type": "application/pdf"}]}}]
        """#
    }

    /// The SHA-256 (hex) of the file a request carries: a multipart file part, or a raw body (Slack's upload URL,
    /// WeChat's CDN, whose ciphertext is decrypted by Python with the key `getuploadurl` was given).
    static func fileDigest(_ request: [String: Any], wechatKey: String?) async throws -> String? {
        if let form = request["form"] as? [[String: Any]], let file = form.first(where: { $0["file_name"] != nil }) {
            return try #require(file["sha256"] as? String)
        }
        guard let encoded = request["body_base64"] as? String, let body = Data(base64Encoded: encoded) else {
            return nil
        }
        guard let wechatKey else { return try await AttachmentTests.sha256(body) }
        let plain = try await AttachmentTests.python(
            [
                "-c",
                "import base64,hashlib,sys;from cryptography.hazmat.primitives.ciphers import Cipher,algorithms,modes;"
                    + "from cryptography.hazmat.primitives import padding;"
                    + "d=Cipher(algorithms.AES(bytes.fromhex(sys.argv[1])),modes.ECB()).decryptor();"
                    + "p=d.update(base64.b64decode(sys.stdin.read()))+d.finalize();"
                    + "u=padding.PKCS7(128).unpadder();print(hashlib.sha256(u.update(p)+u.finalize()).hexdigest())",
                wechatKey,
            ], stdin: body.base64EncodedString())
        return plain
    }

    @Test(
        "an answer's image (by URL, with a caption) and PDF (inline) reach each provider's upload route after the text, in order",
        arguments: TestBackend.all)
    func filesPerProvider(backend: TestBackend) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(backend) { $0.clock = SystemClock() }
        let image = try await HTTPClient(maxInFlight: 1).send(
            HTTPRequest(.get, fake.baseURL + "/_fake/files/chart.png?bytes=4000")
        ).body
        let imageDigest = try await AttachmentTests.sha256(image)
        let pdfDigest = try await AttachmentTests.sha256(Self.pdf)
        for chat in Self.cases {
            try await fake.reset()
            try await fake.script(Self.agentAnswer(fake))
            _ = try await AttachmentTests.answer(
                [try Fixture(chat.provider, chat.fixture).event()], store: t.store,
                configuration: AttachmentTests.configuration(fake, keepingIn: t.directory), fake: fake)
            let requests = try await fake.requests()
            let wechatKeys = requests.filter { ($0["path"] as? String) == ProviderRoute.wechatUploadURL.path() }.map {
                ($0["body"] as? [String: Any])?["aeskey"] as? String
            }
            var carried: [(index: Int, digest: String)] = []
            var uploads = 0
            for (index, request) in requests.enumerated() {
                let path = request["path"] as? String ?? ""
                let isCDN = path.contains("/_fake/wechat-cdn/")
                let key = isCDN ? wechatKeys[min(uploads, wechatKeys.count - 1)] : nil
                if let digest = try await Self.fileDigest(request, wechatKey: key) {
                    carried.append((index, digest))
                    if isCDN { uploads += 1 }
                }
            }
            let name = chat.provider.rawValue
            #expect(
                carried.map(\.digest) == [imageDigest, pdfDigest], "\(name): each file's bytes arrived once, in order")
            let sends = requests.enumerated().filter { _, request in
                ProviderRoute.sends.contains { $0.matches(request["path"] as? String ?? "") }
            }
            #expect(sends.count == chat.sends, "\(name): \(sends.map { $0.element["path"] ?? "" })")
            let texts = sends.compactMap { $0.element["text"] as? String }
            #expect(texts.first == "Here you are", "\(name): the text comes first: \(texts)")
            #expect(texts.contains("a chart"), "\(name): the caption arrives: \(texts)")
            if let first = carried.first, let last = carried.last {
                #expect(sends.first.map { $0.offset < first.index } == true, "\(name): the text before the files")
                // The file's message is sent after its bytes are uploaded (or is the upload, by multipart).
                #expect(sends.last.map { $0.offset >= last.index } == true, "\(name): the PDF's message last")
                let captionIndex = sends.first { $0.element["text"] as? String == "a chart" }?.offset ?? -1
                if chat.captionWithFile {
                    #expect(sends.contains { $0.offset >= first.index && $0.element["text"] as? String == "a chart" })
                } else {
                    #expect(captionIndex < first.index, "\(name): the caption as a text message before the image")
                }
            }
            // The file's message names what the upload answered, and the PDF keeps its safe name.
            let lastSend = String(describing: sends.last?.element["body"] ?? sends.last?.element["form"] ?? "")
            #expect(
                lastSend.contains("report.pdf") || lastSend.contains("key_") || lastSend.contains("media_"),
                "\(name): \(lastSend)")
            #expect(!String(describing: requests).contains("../report.pdf"), "\(name): the name made safe")
        }
    }

    @Test("a file larger than its provider takes is a note in the chat; a Telegram photo over 10 MB goes as a document")
    func providerLimits() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(.sqlite) { $0.clock = SystemClock() }
        var configuration = AttachmentTests.configuration(fake, keepingIn: t.directory)
        configuration.attachments.maxFileBytes = 12_000_000
        for (provider, fixture) in [(Provider.discord, "guild_message"), (.telegram, "private_message")] {
            try await fake.reset()
            try await fake.script(Self.agentAnswer(fake, imageBytes: 11_000_000))
            _ = try await AttachmentTests.answer(
                [try Fixture(provider, fixture).event()], store: t.store, configuration: configuration, fake: fake)
            let requests = try await fake.requests()
            let texts = requests.compactMap { $0["text"] as? String }
            let paths = requests.compactMap { $0["path"] as? String }
            if provider == .discord {
                #expect(
                    texts.contains("(chart.png could not be sent: 11 MB is more than discord takes, 10.5 MB)"),
                    "\(texts)")
                #expect(requests.filter { $0["form"] != nil }.count == 1, "only the PDF was uploaded")
            } else {
                #expect(
                    paths.contains { ProviderRoute.telegramSendDocument.matches($0) && $0.hasSuffix("sendDocument") })
                #expect(!paths.contains { ProviderRoute.telegramSendPhoto.matches($0) }, "\(paths)")
                #expect(texts.contains("a chart"), "the caption goes with the document")
            }
        }
    }

    @Test("a streamed answer's text is shown live, and its files follow once it is done")
    func liveReplyThenFiles() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(.sqlite) { $0.clock = SystemClock() }
        let photo = Self.png.base64EncodedString()
        let stream =
            #"data: {\"delta\": \"Here is\"}\n\ndata: {\"delta\": \" the chart\"}\n\n"#
            + #"data: {\"attachments\": [{\"data_base64\": \"\#(photo)\", \"file_name\": \"chart.png\"}]}\n\n"#
            + #"data: {\"done\": true}\n\n"#
        try await fake.script(
            #"[{"path": "/agent", "raw": "\#(stream)", "headers": {"Content-Type": "text/event-stream"}, "delay_ms": 200}]"#
        )
        _ = try await AttachmentTests.answer(
            [try Fixture(.telegram, "private_message").event()], store: t.store,
            configuration: AttachmentTests.configuration(fake, keepingIn: t.directory), fake: fake)
        let paths = try await fake.requests().compactMap { $0["path"] as? String }
        let photoAt = try #require(paths.firstIndex { ProviderRoute.telegramSendPhoto.matches($0) }, "\(paths)")
        let lastText = try #require(
            paths.lastIndex { ProviderRoute.telegramSend.matches($0) || ProviderRoute.telegramEdit.matches($0) })
        #expect(lastText < photoAt, "the photo after the answer's text: \(paths)")
        let shown = try await fake.requests().compactMap { $0["text"] as? String }
        #expect(shown.contains("Here is the chart"), "\(shown)")
    }

    @Test("an answer's file that is not one is refused naming the entry and its field; the retry is answered")
    func malformedAnswerFile() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(.sqlite) { $0.clock = SystemClock() }
        try await fake.script(
            #"[{"path": "/agent", "times": 1, "body": {"reply": "x", "attachments": [{"file_name": "a.png"}, {"url": "file:///etc/passwd"}]}}]"#
        )
        try await t.store.enqueue(
            NewJob(
                queue: "chat", kind: ChatJob.turn,
                payload: ChatJob.turnPayload(try Fixture(.telegram, "private_message").event()), maxAttempts: 2))
        let done = try await work(
            t.store, AttachmentTests.configuration(fake, keepingIn: t.directory), until: "answered"
        ) {
            try await t.store.stats().totals.values.reduce(0, +) == 0
        }
        let errors = settlements(done).compactMap(\.error)
        #expect(
            errors.first?.contains("attachments[0].data_base64 or url is needed, and only one of them") == true,
            "\(errors)")
        let texts = try await fake.requests().compactMap { $0["text"] as? String }
        #expect(texts.contains { $0.hasPrefix("agent: ") }, "the second attempt asked the echo agent: \(texts)")
    }

    @Test(
        "files the chat cannot get are notes, after their captions: a URL off the agent's hosts, one the provider refuses, an upload address off the provider's hosts"
    )
    func notesInsteadOfFiles() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(.sqlite) { $0.clock = SystemClock() }
        let elsewhere = fake.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        let cases: [(Provider, String, rules: String, note: String)] = [
            (
                .telegram, "private_message",
                #"[{"path": "/agent", "body": {"reply": "x", "attachments": [{"url": "\#(elsewhere)/_fake/files/a.png", "file_name": "a.png", "caption": "see"}]}}]"#,
                "(a.png could not be sent: its URL is not on the agent's host nor on attachments.answer_hosts)"
            ),
            (
                .telegram, "private_message",
                #"[{"path": "/agent", "body": {"reply": "x", "attachments": [{"data_base64": "\#(Self.png.base64EncodedString())", "file_name": "wide.png"}]}}, {"path": "/sendPhoto", "status": 400, "body": {"ok": false, "error_code": 400, "description": "Bad Request: PHOTO_INVALID_DIMENSIONS"}}]"#,
                "(wide.png could not be sent: telegram 400: Bad Request: PHOTO_INVALID_DIMENSIONS)"
            ),
            (
                .slack, "thread_reply",
                #"[{"path": "/agent", "body": {"reply": "x", "attachments": [{"data_base64": "\#(Self.png.base64EncodedString())", "file_name": "b.png"}]}}, {"path": "files.getUploadURLExternal", "body": {"ok": true, "upload_url": "https://files.evil.example/upload/1", "file_id": "F1"}}]"#,
                "(b.png could not be sent: slack: the upload address it gave was refused: files.evil.example is not one of the provider's hosts)"
            ),
        ]
        for (provider, fixture, rules, note) in cases {
            try await fake.reset()
            try await fake.script(rules)
            _ = try await AttachmentTests.answer(
                [try Fixture(provider, fixture).event()], store: t.store,
                configuration: AttachmentTests.configuration(fake, keepingIn: t.directory), fake: fake)
            let texts = try await fake.requests().compactMap { $0["text"] as? String }
            #expect(texts.contains(note), "\(provider): \(texts)")
        }
        #expect(try await t.store.deadLetters().isEmpty, "no delivery failed for good")
        // Named by the operator, the other host is fetched.
        try await fake.reset()
        try await fake.script(
            #"[{"path": "/agent", "body": {"reply": "x", "attachments": [{"url": "\#(elsewhere)/_fake/files/a.png", "file_name": "a.png"}]}}]"#
        )
        var configuration = AttachmentTests.configuration(fake, keepingIn: t.directory)
        configuration.attachments.answerHosts = ["localhost"]
        _ = try await AttachmentTests.answer(
            [try Fixture(.telegram, "private_message").event()], store: t.store, configuration: configuration,
            fake: fake)
        #expect(
            try await fake.requests().contains { ProviderRoute.telegramSendPhoto.matches($0["path"] as? String ?? "") })
    }

    @Test("what an upload answered is reused by a retry within the hour, and uploaded again after it")
    func uploadRecordLifetime() throws {
        let uploaded = Timestamp(millisecondsSince1970: 1_800_000_000_000)
        let record = UploadRecord(reference: "media_1", uploadedAt: uploaded)
        #expect(UploadRecord(checkpoint: record.checkpoint) == record)
        #expect(record.isReusable(at: uploaded + .seconds(3_599)))
        #expect(!record.isReusable(at: uploaded + .seconds(3_600)))
        #expect(!record.isReusable(at: uploaded - .seconds(1)), "a clock stepped back does not make it younger")
        #expect(UploadRecord(checkpoint: Data("media_1".utf8)) == nil, "a checkpoint that is not a record is none")
        #expect(UploadRecord(checkpoint: nil) == nil)
    }

    @Test("an answer of many files with long captions reaches the chat as ten files, their captions cut, and one note")
    func boundedAnswer() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(.sqlite) { $0.clock = SystemClock() }
        let photo = Self.png.base64EncodedString()
        let entries = (1...14).map {
            #"{"data_base64": "\#(photo)", "file_name": "p\#($0).png", "caption": "\#(String(repeating: "c", count: 3_000))"}"#
        }
        try await fake.script(
            #"[{"path": "/agent", "body": {"reply": "x", "attachments": [\#(entries.joined(separator: ","))]}}]"#)
        _ = try await AttachmentTests.answer(
            [try Fixture(.telegram, "private_message").event()], store: t.store,
            configuration: AttachmentTests.configuration(fake, keepingIn: t.directory), fake: fake)
        let requests = try await fake.requests()
        let photos = requests.filter { ProviderRoute.telegramSendPhoto.matches($0["path"] as? String ?? "") }
        let texts = requests.filter { ProviderRoute.telegramSend.matches($0["path"] as? String ?? "") }
            .compactMap { $0["text"] as? String }
        #expect(photos.count == 10)
        #expect(
            texts.last == "(4 more files could not be sent: an answer sends its first 10 files only)",
            "\(texts.last ?? "")")
        // The reply, each cut caption as a message before its photo (too long to go with it), the note.
        #expect(texts.count == 12, "\(texts.map(\.count))")
        #expect(
            texts.dropFirst().dropLast().allSatisfy {
                $0.hasPrefix(String(repeating: "c", count: 1_024) + "\n… [answer cut")
            })
    }

    @Test("a file the store cannot keep is a note that says only that; the operator's log has why")
    func storeRefuses() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(.sqlite) { $0.clock = SystemClock() }
        var configuration = AttachmentTests.configuration(fake, keepingIn: t.directory)
        // A regular file where the directory should be: nothing can be written under it.
        let blocked = t.directory.path("blocked")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocked))
        configuration.attachments.directory = blocked
        try await fake.script(
            #"[{"path": "/agent", "body": {"reply": "x", "attachments": [{"data_base64": "\#(Self.pdf.base64EncodedString())", "file_name": "a.pdf", "caption": "cap"}]}}]"#
        )
        _ = try await AttachmentTests.answer(
            [try Fixture(.telegram, "private_message").event()], store: t.store, configuration: configuration,
            fake: fake)
        let texts = try await fake.requests().compactMap { $0["text"] as? String }
        #expect(texts == ["x", "cap", "(a.pdf could not be sent: it could not be kept)"], "\(texts)")
    }

    @Test("WeChat's media key is derived again on a retry, never kept: the upload record holds none")
    func wechatKeyNotKept() throws {
        var settings = ProviderSettings(
            baseURL: "https://ilinkai.weixin.qq.com", credentials: ["bot_token": "SECRET-token"])
        let file = OutboundFile(
            kind: .image, sha256: String(repeating: "a", count: 64), fileName: "a.png", contentType: "image/png",
            size: 10)
        let message = OutboundMessage(
            provider: .wechat, target: ReplyTarget(chat: "u1"), text: "", part: 2, parts: 2, turnID: 7)
        let key = WeChatClient.mediaKey(for: file, message, settings)
        #expect(key.count == 16)
        #expect(WeChatClient.mediaKey(for: file, message, settings) == key, "the same on every attempt")
        var other = message
        other.part = 3
        #expect(WeChatClient.mediaKey(for: file, other, settings) != key, "another message, another key")
        settings.credentials["bot_token"] = "SECRET-other"
        #expect(WeChatClient.mediaKey(for: file, message, settings) != key, "another bot, another key")
        let recorded = UploadedMedia(parameter: "cdn_1", key: key, cipherSize: 32).recorded
        #expect(
            !recorded.contains(WebhookCrypto.hex(key)) && !recorded.contains(key.base64EncodedString()), "\(recorded)")
        #expect(UploadedMedia(recorded, key: key) == UploadedMedia(parameter: "cdn_1", key: key, cipherSize: 32))
    }

    @Test("with replies written locally, a file's line names the file kept, its caption as the text")
    func localReplies() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(.sqlite) { $0.clock = SystemClock() }
        var configuration = AttachmentTests.configuration(fake, keepingIn: t.directory)
        let lines = t.directory.path("replies.jsonl")
        configuration.outbound = .local(path: lines)
        try await fake.script(
            #"[{"path": "/agent", "body": {"reply": "x", "attachments": [{"data_base64": "\#(Self.pdf.base64EncodedString())", "file_name": "a.pdf", "caption": "cap"}]}}]"#
        )
        _ = try await AttachmentTests.answer(
            [try Fixture(.telegram, "private_message").event()], store: t.store, configuration: configuration,
            fake: fake)
        let written = try String(contentsOfFile: lines, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        #expect(written.map { $0["text"] as? String } == ["x", "cap"])
        let file = written.last?["file"] as? [String: Any]
        #expect(file?["file_name"] as? String == "a.pdf")
        #expect(file?["content_type"] as? String == "application/pdf")
        #expect(file?["sha256"] as? String == (try await AttachmentTests.sha256(Self.pdf)))
    }
}
