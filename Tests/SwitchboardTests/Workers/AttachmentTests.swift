import ChatStore
import Enqueuer
import Foundation
import HTTPClient
import Harness
import Queue
import Testing

@testable import Workers

/// Files of inbound messages fetched through each provider's download route (the fake provider serves
/// them, WeCom's and WeChat's encrypted by `AttachmentScripts/encrypt.py`), kept by their digest, and
/// given to the agent; and what is refused without being read.
@Suite("Attachments reach the agent", .serialized, .timeLimit(.minutes(3)))
struct AttachmentTests {
    /// A PNG's signature and some bytes: what the sniffer and the hash see.
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data((0..<3000).map { UInt8($0 % 251) })
    /// WeCom's key for the test's media, as its AI bot gives a file's `aeskey` and as an EncodingAESKey is
    /// written: 43 characters of base64 without padding.
    static let wecomKey = Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString().replacing("=", with: "")
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "AttachmentScripts")

    /// One provider's message with a photo, and the fake provider's answers that serve it.
    struct Case {
        let provider: Provider
        let fixture: String
        let attachment: InboundAttachment
        let rules: String
        /// The header the file's own request must carry (name, value), or must not carry (value nil).
        let credential: (name: String, value: String?)
    }

    static func cases(_ fake: FakeProvider) async throws -> [Case] {
        let base = fake.baseURL
        let photo = png.base64EncodedString()
        let wecomKey = Self.wecomKey
        let wechatKey = "00112233445566778899aabbccddeeff"
        let wecomCipher = try await encrypt("wecom", key: wecomKey)
        let wechatCipher = try await encrypt("wechat", key: wechatKey)
        return [
            Case(
                provider: .telegram, fixture: "private_message",
                attachment: InboundAttachment(kind: .image, reference: "AgACAgIAAxkBAAIB", declaredSize: 3008),
                rules: #"""
                    [{"path": "/getFile", "body": {"ok": true, "result": {"file_id": "AgACAgIAAxkBAAIB", "file_path": "photos/file_7.png"}}},
                     {"path": "/file/bot", "raw_base64": "\#(photo)"}]
                    """#,
                credential: ("authorization", nil)),
            Case(
                provider: .slack, fixture: "thread_reply",
                attachment: InboundAttachment(
                    kind: .image, reference: "\(base)/files-pri/T1-F1/download/photo.png", fileName: "photo.png",
                    contentType: "image/png"),
                rules: #"[{"path": "/files-pri/", "raw_base64": "\#(photo)"}]"#,
                credential: ("authorization", "Bearer xoxb-SECRET-slack-token")),
            Case(
                provider: .discord, fixture: "guild_message",
                attachment: InboundAttachment(
                    kind: .image, reference: "\(base)/attachments/1/2/photo.png?ex=1&is=2&hm=3", fileName: "photo.png",
                    contentType: "image/png"),
                rules: #"[{"path": "/attachments/", "raw_base64": "\#(photo)"}]"#,
                credential: ("authorization", nil)),
            Case(
                provider: .feishu, fixture: "group_message",
                attachment: InboundAttachment(kind: .image, reference: "img_v3_0abc"),
                rules: #"[{"path": "/resources/img_v3_0abc", "raw_base64": "\#(photo)"}]"#,
                credential: ("authorization", "Bearer t-fake-tenant")),
            Case(
                provider: .dingtalk, fixture: "group_text",
                attachment: InboundAttachment(kind: .image, reference: "dl-code-1"),
                rules: #"""
                    [{"path": "/messageFiles/download", "body": {"downloadUrl": "\#(base)/dingtalk-files/p1"}},
                     {"path": "/dingtalk-files/", "raw_base64": "\#(photo)"}]
                    """#,
                credential: ("x-acs-dingtalk-access-token", nil)),
            Case(
                provider: .wecom, fixture: "group_text",
                attachment: InboundAttachment(kind: .image, reference: "\(base)/wecom-media/1", key: wecomKey),
                rules: #"[{"path": "/wecom-media/", "raw_base64": "\#(wecomCipher)"}]"#,
                credential: ("authorization", nil)),
            // By the HTTP callback a WeCom file has no key of its own: the bot's EncodingAESKey decrypts it.
            Case(
                provider: .wecom, fixture: "group_text",
                attachment: InboundAttachment(kind: .image, reference: "\(base)/wecom-media/2"),
                rules: #"[{"path": "/wecom-media/", "raw_base64": "\#(wecomCipher)"}]"#,
                credential: ("authorization", nil)),
            Case(
                provider: .wechat, fixture: "text",
                attachment: InboundAttachment(
                    kind: .image, reference: "\(base)/c2c/download?encrypted_query_param=abc", key: wechatKey),
                rules: #"[{"path": "/c2c/download", "raw_base64": "\#(wechatCipher)"}]"#,
                credential: ("authorization", nil)),
        ]
    }

    static let encryptScript = scripts.appendingPathComponent("encrypt.py").path

    /// `png` encrypted as `scheme`'s provider serves it.
    static func encrypt(_ scheme: String, key: String) async throws -> String {
        try await python(
            [scripts.appendingPathComponent("encrypt.py").path, scheme, key], stdin: png.base64EncodedString())
    }

    /// The SHA-256 of `data` in hex, by Python's hashlib.
    static func sha256(_ data: Data) async throws -> String {
        try await python(
            ["-c", "import base64,hashlib,sys;print(hashlib.sha256(base64.b64decode(sys.stdin.read())).hexdigest())"],
            stdin: data.base64EncodedString())
    }

    static func python(_ arguments: [String], stdin: String) async throws -> String {
        let child = try SwitchboardChild(executable: "/usr/bin/python3", arguments: arguments)
        child.write(stdin)
        let finished = await child.finish()
        try #require(finished.status == 0, "python3 \(arguments): \(finished.stderr)")
        return finished.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A configuration that sends everything to `fake`, asks its echo agent, and keeps files in `directory`.
    static func configuration(_ fake: FakeProvider, keepingIn directory: TestDirectory) -> ChatConfiguration {
        var configuration = fake.configuration()
        configuration.agent = .endpoint(fake.baseURL + "/agent")
        configuration.attachments.directory = directory.path("attachments")
        configuration.providers[.wecom]?.credentials["encoding_aes_key"] = wecomKey
        return configuration
    }

    /// Enqueues a turn for each event and works them until none is left; returns the agent's requests.
    static func answer(_ events: [InboundEvent], store: JobStore, configuration: ChatConfiguration, fake: FakeProvider)
        async throws -> [[String: Any]]
    {
        for event in events {
            try await store.enqueue(
                NewJob(queue: "chat", kind: ChatJob.turn, payload: ChatJob.turnPayload(event), maxAttempts: 2))
        }
        _ = try await work(store, configuration, until: "every turn is answered") {
            try await store.stats().totals.values.reduce(0, +) == 0
        }
        return try await fake.requests().filter { $0["path"] as? String == "/agent" }.compactMap {
            $0["body"] as? [String: Any]
        }
    }

    @Test(
        "a photo sent to each of the seven providers reaches the agent with its bytes, kept once",
        arguments: TestBackend.all)
    func photoPerProvider(backend: TestBackend) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(backend) { $0.clock = SystemClock() }
        let digest = try await Self.sha256(Self.png)
        for photo in try await Self.cases(fake) {
            try await fake.reset()
            try await fake.script(photo.rules)
            var event = try Fixture(photo.provider, photo.fixture).event()
            event.attachments = [photo.attachment]
            let agent = try await Self.answer(
                [event], store: t.store, configuration: Self.configuration(fake, keepingIn: t.directory), fake: fake)
            let files = try #require(agent.first?["attachments"] as? [[String: Any]], "\(photo.provider)")
            #expect(files.count == 1)
            #expect(files.first?["sha256"] as? String == digest, "\(photo.provider): \(files)")
            #expect(files.first?["content_type"] as? String == "image/png", "\(photo.provider)")
            #expect(files.first?["size"] as? Int == Self.png.count, "\(photo.provider)")
            let inline = (files.first?["data_base64"] as? String).flatMap { Data(base64Encoded: $0) }
            #expect(inline == Self.png, "\(photo.provider): the agent got the file's bytes")
            let fileRequest = try await fake.requests().last {
                ($0["path"] as? String) != "/agent" && $0["scripted"] as? Bool == true
            }
            let headers = fileRequest?["headers"] as? [String: String] ?? [:]
            #expect(headers[photo.credential.name] == photo.credential.value, "\(photo.provider): \(headers)")
        }
        // Seven fetches of one photo: one file kept, under its digest.
        let kept = FileManager.default.subpaths(atPath: t.directory.path("attachments"))?.filter { !$0.contains(".") }
        #expect(kept?.filter { $0.count > 2 } == ["\(digest.prefix(2))/\(digest)"])
    }

    @Test(
        "voice notes with their transcripts and PDFs, read from the providers' payloads, reach the agent",
        arguments: TestBackend.all)
    func voiceAndDocuments(backend: TestBackend) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(backend) { $0.clock = SystemClock() }
        let ogg = Data("OggS".utf8) + Data((0..<2000).map { UInt8($0 % 199) })
        let pdf = Data("%PDF-1.7\n".utf8) + Data((0..<2000).map { UInt8($0 % 197) })
        // Each fixture through its provider's own normaliser, and the fake's answers for its download route.
        let cases: [(Provider, String, Data, String)] = [
            (
                .telegram, "voice", ogg,
                #"[{"path": "/getFile", "body": {"ok": true, "result": {"file_path": "voice/file_3.oga"}}}, {"path": "/file/bot", "raw_base64": "\#(ogg.base64EncodedString())"}]"#
            ),
            (
                .telegram, "document", pdf,
                #"[{"path": "/getFile", "body": {"ok": true, "result": {"file_path": "documents/file_4.pdf"}}}, {"path": "/file/bot", "raw_base64": "\#(pdf.base64EncodedString())"}]"#
            ),
            (
                .feishu, "file_message", pdf,
                #"[{"path": "/resources/file_v3_00ge_4c2b3d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6g?type=file", "raw_base64": "\#(pdf.base64EncodedString())"}]"#
            ),
            (
                .dingtalk, "audio", ogg,
                #"[{"path": "/messageFiles/download", "body": {"downloadUrl": "\#(fake.baseURL)/dingtalk-files/a1"}}, {"path": "/dingtalk-files/", "raw_base64": "\#(ogg.base64EncodedString())"}]"#
            ),
        ]
        for (provider, fixture, bytes, rules) in cases {
            try await fake.reset()
            try await fake.script(rules)
            let event = try Fixture(provider, fixture).event()
            let agent = try await Self.answer(
                [event], store: t.store, configuration: Self.configuration(fake, keepingIn: t.directory), fake: fake)
            let file = try #require((agent.first?["attachments"] as? [[String: Any]])?.first, "\(fixture)")
            #expect(file["sha256"] as? String == (try await Self.sha256(bytes)), "\(provider) \(fixture): \(file)")
            #expect((file["data_base64"] as? String).flatMap { Data(base64Encoded: $0) } == bytes)
            #expect(file["content_type"] as? String == (bytes == pdf ? "application/pdf" : "audio/ogg"))
            #expect(file["transcript"] as? String == event.attachments.first?.transcript)
        }
        let dingtalk = try Fixture(.dingtalk, "audio").event()
        #expect(dingtalk.attachments.first?.transcript == "明天上午十点开会", "DingTalk's recognition is the transcript")
    }

    @Test(
        "Slack's, Discord's, WeCom's and WeChat's voice notes (with transcripts) and documents, read from their payloads, reach the agent",
        arguments: TestBackend.all)
    func voiceAndDocumentsByURL(backend: TestBackend) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(backend) { $0.clock = SystemClock() }
        let ogg = Data("OggS".utf8) + Data((0..<2000).map { UInt8($0 % 199) })
        let pdf = Data("%PDF-1.7\n".utf8) + Data((0..<2000).map { UInt8($0 % 197) })
        // Each fixture through its provider's normaliser; its file then served by the fake at the URL the
        // payload's reference is moved to (the real ones name the providers' CDNs), encrypted as served.
        let cases: [(Provider, String, Data?)] = [
            (.slack, "file_share_audio", ogg), (.slack, "file_share_document", pdf),
            (.discord, "voice_message", ogg), (.discord, "file_attachment", pdf),
            (.wecom, "voice", nil), (.wecom, "file", pdf),
            (.wechat, "voice_transcript", ogg), (.wechat, "file", pdf),
        ]
        for (provider, fixture, bytes) in cases {
            try await fake.reset()
            var event = try Fixture(provider, fixture).event()
            var attachment = try #require(event.attachments.first, "\(provider) \(fixture)")
            if let bytes {
                var served = bytes.base64EncodedString()
                // The WeCom fixture's key is 35 bytes, no AES key: a file's own key of the right size instead.
                if provider == .wecom { attachment.key = Self.wecomKey }
                switch (provider, attachment.key) {
                case (.wecom, let key?):
                    served = try await Self.python([Self.encryptScript, "wecom", key], stdin: served)
                case (.wechat, let key?):
                    let hex = WebhookCrypto.hex(try #require(WeChatClient.key(key)))
                    served = try await Self.python([Self.encryptScript, "wechat", hex], stdin: served)
                default: break
                }
                attachment.reference = "\(fake.baseURL)/media/\(fixture)"
                event.attachments = [attachment]
                try await fake.script(#"[{"path": "/media/\#(fixture)", "raw_base64": "\#(served)"}]"#)
            }
            let agent = try await Self.answer(
                [event], store: t.store, configuration: Self.configuration(fake, keepingIn: t.directory), fake: fake)
            let file = try #require((agent.first?["attachments"] as? [[String: Any]])?.first, "\(fixture)")
            #expect(file["transcript"] as? String == attachment.transcript, "\(provider) \(fixture)")
            guard let bytes else {
                #expect(attachment.transcript?.isEmpty == false, "a WeCom voice note is its transcript")
                #expect(file["note"] as? String != nil)
                continue
            }
            #expect(file["sha256"] as? String == (try await Self.sha256(bytes)), "\(provider) \(fixture): \(file)")
            #expect((file["data_base64"] as? String).flatMap { Data(base64Encoded: $0) } == bytes)
            #expect(file["content_type"] as? String == (bytes == pdf ? "application/pdf" : "audio/ogg"))
        }
    }

    @Test("an operator shown a turn's payload sees its attachments without their decryption keys")
    func keysMaskedForOperators() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        var event = try Fixture(.wecom, "group_text").event()
        event.attachments = [
            InboundAttachment(kind: .image, reference: "https://example.qq.com/m/1", key: Self.wecomKey)
        ]
        let id = try await store.enqueue(
            NewJob(queue: "chat", kind: ChatJob.turn, payload: ChatJob.turnPayload(event))
        ).jobID
        for arguments in [["jobs", "show", String(id)], ["--json", "jobs", "show", String(id)]] {
            let show = try await SwitchboardProcess.run(arguments, database: directory.databasePath)
            #expect(show.status == 0, "\(show.stderr)")
            #expect(!show.stdout.contains(Self.wecomKey), "\(arguments)")
            #expect(show.stdout.contains("https://example.qq.com/m/1") && show.stdout.contains("***"))
        }
        let stored = try await store.job(id: id)?.payload ?? Data()
        #expect(String(decoding: stored, as: UTF8.self).contains(Self.wecomKey), "the worker still has the key")
    }

    @Test("a file too large, a redirect off the provider's hosts and a file:// URL are refused without being read")
    func refusals() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(.sqlite) { $0.clock = SystemClock() }
        var configuration = Self.configuration(fake, keepingIn: t.directory)
        configuration.attachments.maxFileBytes = 2_000
        let base = fake.baseURL
        try await fake.script(
            #"""
            [{"path": "/cdn/big", "raw_base64": "\#(Self.png.base64EncodedString())"},
             {"path": "/cdn/elsewhere", "status": 302, "headers": {"Location": "https://files.example.net/photo.png"}},
             {"path": "/cdn/small", "raw_base64": "\#(Data("%PDF-1.7 a small document".utf8).base64EncodedString())"}]
            """#)
        var event = try Fixture(.discord, "guild_message").event()
        event.attachments = [
            InboundAttachment(kind: .image, reference: "\(base)/cdn/declared", declaredSize: 9_999_999),
            InboundAttachment(kind: .image, reference: "\(base)/cdn/big"),
            InboundAttachment(kind: .image, reference: "\(base)/cdn/elsewhere"),
            InboundAttachment(kind: .file, reference: "file:///etc/passwd", fileName: "../../passwd"),
            InboundAttachment(kind: .file, reference: "\(base)/cdn/small", fileName: "../\u{202E}report\n.pdf"),
        ]
        let agent = try await Self.answer([event], store: t.store, configuration: configuration, fake: fake)
        let files = try #require(agent.first?["attachments"] as? [[String: Any]])
        let notes = files.map { $0["note"] as? String ?? "" }
        #expect(notes[0].contains("9999999 bytes, over the limit of 2000"), "\(notes[0])")
        #expect(notes[1].contains("refused while downloading: larger than 2000 bytes"), "\(notes[1])")
        #expect(notes[2].contains("files.example.net is not one of the provider's hosts"), "\(notes[2])")
        #expect(notes[3].contains("refused"), "\(notes[3])")
        #expect(files[3]["file_name"] as? String == "passwd")
        #expect(files[4]["content_type"] as? String == "application/pdf")
        #expect(
            files[4]["file_name"] as? String == "report.pdf", "control and direction characters and the path dropped")
        #expect(files[0...3].allSatisfy { $0["data_base64"] == nil && $0["sha256"] == nil })
        let paths = try await fake.requests().compactMap { $0["path"] as? String }
        #expect(!paths.contains("/cdn/declared"), "a file declared too large is not asked for")
    }

    @Test("a turn's files go inline in order until inline_bytes is spent; the rest come without their bytes")
    func inlineBudget() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(.sqlite) { $0.clock = SystemClock() }
        var configuration = Self.configuration(fake, keepingIn: t.directory)
        configuration.attachments.inlineBytes = 5_000
        var event = try Fixture(.discord, "guild_message").event()
        event.attachments = (1...3).map {
            InboundAttachment(kind: .image, reference: "\(fake.baseURL)/_fake/files/p\($0).png?bytes=2000")
        }
        let agent = try await Self.answer([event], store: t.store, configuration: configuration, fake: fake)
        let files = try #require(agent.first?["attachments"] as? [[String: Any]])
        #expect(
            files.map { ($0["data_base64"] as? String).map { Data(base64Encoded: $0)?.count } } == [2000, 2000, nil])
        #expect((files[2]["note"] as? String)?.contains("5000 bytes") == true, "\(files[2])")
        #expect(Set(files.compactMap { $0["sha256"] as? String }).count == 3)
    }

    @Test("a file whose host keeps failing retries the turn, and its last attempt tells the agent")
    func transientFailure() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(.sqlite) { options in
            options.clock = SystemClock()
            options.retryPolicies = RetryPolicies(
                fallback: .exponentialJitter(initialDelay: .milliseconds(50), jitter: 0))
        }
        try await fake.script(#"[{"path": "/cdn/flaky", "times": 5, "status": 503, "raw": "busy"}]"#)
        var event = try Fixture(.discord, "guild_message").event()
        event.attachments = [InboundAttachment(kind: .image, reference: "\(fake.baseURL)/cdn/flaky")]
        let agent = try await Self.answer(
            [event], store: t.store, configuration: Self.configuration(fake, keepingIn: t.directory), fake: fake)
        #expect(agent.count == 1, "asked once: on the last of its two attempts")
        let files = try #require(agent.first?["attachments"] as? [[String: Any]])
        #expect((files.first?["note"] as? String)?.contains("could not be fetched") == true, "\(files)")
        let tries = try await fake.requests().filter { ($0["path"] as? String)?.hasPrefix("/cdn/flaky") == true }
        #expect(tries.count == 2)
    }

    @Test("a fetched file's signed link is served by serve until it expires; a forged or stale link is refused")
    func signedLinks() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let directory = try TestDirectory()
        let secret = "an-attachment-link-secret-0123456789abcdef"
        let config = directory.path("serve.json")
        try Data(
            #"{"attachments": {"url_base": "https://bot.example.com", "url_secret": "\#(secret)"}}"#.utf8
        ).write(to: URL(fileURLWithPath: config))
        let server = try await TestServer(["--config", config], database: directory.databasePath)
        defer { server.child.signal(SIGKILL) }

        // A worker beside serve's database, whose links name serve's address.
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        var configuration = Self.configuration(fake, keepingIn: directory)
        configuration.attachments.directory = directory.databasePath + "-attachments"
        configuration.attachments.inlineBytes = 100
        configuration.attachments.links = AttachmentLinks(
            baseURL: server.baseURL, secret: secret, lifetime: .seconds(600))
        try await fake.script(#"[{"path": "/cdn/photo", "raw_base64": "\#(Self.png.base64EncodedString())"}]"#)
        var event = try Fixture(.discord, "guild_message").event()
        event.attachments = [InboundAttachment(kind: .image, reference: "\(fake.baseURL)/cdn/photo")]
        let agent = try await Self.answer([event], store: store, configuration: configuration, fake: fake)
        let file = try #require((agent.first?["attachments"] as? [[String: Any]])?.first)
        #expect(file["data_base64"] == nil, "over inline_bytes: a link only")
        let link = try #require(file["url"] as? String)
        #expect(
            link.hasPrefix(
                server.baseURL + "/attachments/\(file["sha256"] as? String ?? "?")?type=image%2Fpng&expires="))

        let served = try await server.client.send(HTTPRequest(.get, link))
        #expect(served.status == 200)
        #expect(served.body == Self.png)
        #expect(served.headers["content-type"] == "image/png")
        #expect(served.headers["x-content-type-options"] == "nosniff")
        // HEAD: the headers with the file's length, no body (Python's http.client).
        let head = try await Self.python(
            [
                "-c",
                "import http.client,sys,urllib.parse as u;p=u.urlsplit(sys.argv[1]);c=http.client.HTTPConnection(p.netloc);"
                    + "c.request('HEAD',p.path+'?'+p.query);r=c.getresponse();"
                    + "print(r.status,r.getheader('Content-Length'),len(r.read()))",
                link,
            ], stdin: "")
        #expect(head == "200 \(Self.png.count) 0")

        let digest = file["sha256"] as? String ?? ""
        // Links made with Python's hmac: the same secret but expired, another secret, another file's digest.
        func signed(_ digest: String, expires: Int, secret: String) async throws -> String {
            let mac = try await Self.python(
                [
                    "-c",
                    "import hmac,hashlib,sys;k,d,e=sys.argv[1:4];"
                        + "print(hmac.new(k.encode(),f'{d}\\nimage/png\\n{e}'.encode(),hashlib.sha256).hexdigest())",
                    secret, digest, String(expires),
                ], stdin: "")
            return "/attachments/\(digest)?type=image%2Fpng&expires=\(expires)&signature=\(mac)"
        }
        let now = Int(Date().timeIntervalSince1970)
        #expect(try await server.send(.get, try await signed(digest, expires: now + 60, secret: secret)).status == 200)
        #expect(try await server.send(.get, try await signed(digest, expires: now - 1, secret: secret)).status == 403)
        #expect(
            try await server.send(.get, try await signed(digest, expires: now + 60, secret: secret + "x")).status == 403
        )
        let absent = String(repeating: "ab", count: 32)
        #expect(try await server.send(.get, try await signed(absent, expires: now + 60, secret: secret)).status == 404)
        let retyped = link.replacing("type=image%2Fpng", with: "type=text%2Fhtml")
        #expect(try await server.client.send(HTTPRequest(.get, retyped)).status == 403, "the type is signed too")
        #expect(try await server.send(.get, "/attachments/../queue.db?type=x&expires=1&signature=0").status != 200)
    }

    @Test("kept files past their retention are pruned a bounded batch at a time; fetching one again keeps it")
    func retention() async throws {
        let directory = try TestDirectory()
        let store = AttachmentStore(directory: URL(fileURLWithPath: directory.path("attachments")))
        var digests: [String] = []
        for index in 0..<5 {
            digests.append(try await store.keep(Data("file \(index)".utf8)))
        }
        let path = { (digest: String) in directory.path("attachments/\(digest.prefix(2))/\(digest)") }
        // Four last used two days ago; the first of them fetched again now.
        let old = Date().addingTimeInterval(-2 * 86_400)
        for digest in digests.prefix(4) {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path(digest))
        }
        #expect(try await store.keep(Data("file 0".utf8)) == digests[0])
        let cutoff = Date().addingTimeInterval(-86_400)
        #expect(await store.prune(usedBefore: cutoff, limit: 2) == 2)
        #expect(await store.prune(usedBefore: cutoff, limit: 2) == 1)
        #expect(await store.prune(usedBefore: cutoff, limit: 2) == 0)
        let left = digests.filter { FileManager.default.fileExists(atPath: path($0)) }
        #expect(left == [digests[0], digests[4]])

        // A directory shared with other things loses nothing that is not the store's own.
        let foreign = [
            "attachments/\(digests[4].prefix(2))/notes.txt", "attachments/jo/Documents/thesis.txt",
            "attachments/zz/" + String(repeating: "a", count: 64),
        ]
        for file in foreign {
            let url = URL(fileURLWithPath: directory.path(file))
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("x".utf8).write(to: url)
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: url.path)
        }
        #expect(await store.prune(usedBefore: cutoff, limit: 100) == 0)
        #expect(foreign.allSatisfy { FileManager.default.fileExists(atPath: directory.path($0)) })
    }

    /// A provider's downloads as `check` sees them: file hosts only.
    struct Hosts: AttachmentDownloading {
        let fileHosts: [String]
        func attachmentRequest(for attachment: InboundAttachment, in event: InboundEvent)
            async throws(AttachmentFailure) -> HTTPRequest
        { HTTPRequest(.get, "") }
    }

    @Test(
        "only the provider's hosts, over HTTPS (plain HTTP only to a plain-HTTP API), pass the check",
        arguments: [
            ("https://files.slack.com/files-pri/T1-F1/a.png", true),
            ("https://FILES.Slack.COM/x", true),
            ("https://slack.com/x", true),
            ("http://files.slack.com/x", false),
            ("https://files.slack.com.evil.example/x", false),
            ("https://evilslack.com/x", false),
            ("https://user:pw@files.slack.com/x", false),
            ("https://files.slack.com@evil.example/x", false),
            ("file:///etc/passwd", false),
            ("gopher://files.slack.com/x", false),
            ("https://127.0.0.1:8443/x", false),
            ("http://127.0.0.1:8080/x", true),
            ("http://127.0.0.1:8081/x", false),
            ("https://[::1]/x", false),
            ("//files.slack.com/x", false),
            ("https://files.slack.com\\@evil.example/x", false),
        ])
    func hostCheck(url: String, allowed: Bool) {
        let source = AttachmentFetcher.Source(
            downloads: Hosts(fileHosts: [".slack.com"]), baseURL: "http://127.0.0.1:8080")
        let passed = (try? AttachmentFetcher.check(url, source: source)) != nil
        #expect(passed == allowed, "\(url)")
    }

    @Test(
        "attachments settings that would do harm are refused, naming the setting",
        arguments: [
            (#"{"directory": " "}"#, "attachments.directory"),
            (
                #"{"url_base": "https://bot.example.com/?a=1", "url_secret": "a-long-enough-secret-0123456789abcdef"}"#,
                "attachments.url_base"
            ),
            (
                #"{"retain": 3600, "url_lifetime": 7200, "url_base": "https://b.example.com", "url_secret": "a-long-enough-secret-0123456789abcdef"}"#,
                "attachments.retain"
            ),
            (#"{"max_file_bytes": 1000000000}"#, "attachments.max_file_bytes"),
        ])
    func harmfulSettings(settings: String, field: String) throws {
        let error = try Self.refusal(ofAttachments: settings)
        #expect(error.map { "\($0)".contains(field) } == true, "\(String(describing: error))")
    }

    /// The error a configuration file whose `attachments` are `settings` is refused with; nil (and a
    /// failed expectation) when it is taken.
    static func refusal(ofAttachments settings: String) throws -> ConfigurationError? {
        let directory = try TestDirectory()
        let file = directory.path("switchboard.json")
        try Data(#"{"attachments": \#(settings)}"#.utf8).write(to: URL(fileURLWithPath: file))
        return #expect(throws: ConfigurationError.self) {
            try ChatConfiguration.load(file: file, environment: [:])
        }
    }
}
