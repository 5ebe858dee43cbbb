import Enqueuer
import Foundation
import HTTPClient
import Harness
import JSON
import Queue
import Testing

@testable import Workers

/// A moto S3 server (`AttachmentScripts/s3_server.py`, from the Python tools `ops/test.sh` installs) on a
/// loopback port, with the bucket `switchboard-files`; it lives until the test drops it or calls `stop`.
final class TestS3Server: Sendable {
    static let python = OpenAPITests.tools.appendingPathComponent("python").path
    static let script = AttachmentTests.scripts.appendingPathComponent("s3_server.py").path
    static let bucket = "switchboard-files"

    let child: SwitchboardChild
    let port: Int
    /// The key moto made for its IAM user (any key, `--open`).
    let accessKeyID: String
    let secretAccessKey: String
    /// Moto's log of every request it answered, one JSON object a line, replayed when it starts again.
    let recording: String
    let open: Bool

    /// Starts a server recording into `recording`; on `port` when given (a restart), which it then replays.
    /// - Parameter open: takes any key: moto cannot check a presigned link, and fails them all while it
    ///   checks signatures.
    init(recording: String, open: Bool = false, port: Int? = nil, key: (String, String)? = nil) async throws {
        var arguments = [Self.script, recording]
        if let port { arguments += ["--port", String(port)] }
        if open { arguments.append("--open") }
        child = try SwitchboardChild(executable: Self.python, arguments: arguments, errorOutput: .capture)
        // The script prints its line once the server answers and the bucket exists: no waiting by the clock.
        let line = try await child.expectLine("moto's port")
        let fields = line.split(separator: " ").map(String.init)
        try #require(fields.count == 3, "s3_server.py said \(line): \(child.errorOutputSoFar.suffix(2000))")
        self.port = try #require(Int(fields[0]))
        accessKeyID = key?.0 ?? fields[1]
        secretAccessKey = key?.1 ?? fields[2]
        self.recording = recording
        self.open = open
    }

    deinit {
        child.signal(SIGKILL)
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Kills the server (its state goes with it; the recording stays) and waits until it has exited.
    func stop() async {
        child.signal(SIGKILL)
        _ = await child.waitForExit()
    }

    /// A server started again on this one's port and recording: it replays what this one was asked.
    func restarted() async throws -> TestS3Server {
        try await TestS3Server(
            recording: recording, open: open, port: port, key: (accessKeyID, secretAccessKey))
    }

    /// Settings for the bucket with this server's key, the files under `prefix`.
    func settings(prefix: String = "files", secret: String? = nil) -> ObjectStorageSettings {
        var settings = ObjectStorageSettings(
            endpoint: endpoint, bucket: Self.bucket, accessKeyID: accessKeyID,
            secretAccessKey: secret ?? secretAccessKey)
        settings.prefix = prefix
        return settings
    }

    func store(prefix: String = "files", secret: String? = nil) -> AttachmentObjects {
        AttachmentObjects(
            ObjectStorage(
                settings(prefix: prefix, secret: secret), http: HTTPClient(maxInFlight: 4), connectTimeout: .seconds(2))
        )
    }

    /// The requests moto recorded with `method` on `path`, as (headers, body length) by the recording.
    func recorded(_ method: String, path: String) throws -> [[String: String]] {
        let text = try String(contentsOfFile: recording, encoding: .utf8)
        return try text.split(separator: "\n").compactMap { line -> [String: String]? in
            let entry = try JSONParser.parse(Data(line.utf8)).objectValue
            guard entry?["method"]?.stringValue == method,
                URLComponents(string: entry?["url"]?.stringValue ?? "")?.path == path
            else { return nil }
            var headers: [String: String] = [:]
            for member in entry?["headers"]?.objectValue?.members ?? [] {
                headers[member.key.lowercased()] = member.value.stringValue
            }
            return headers
        }
    }
}

/// Fetched files kept in S3-compatible object storage: a real moto server over loopback, with its
/// signature checks on where moto can make them.
@Suite("Attachments in S3-compatible object storage", .serialized, .timeLimit(.minutes(3)))
struct ObjectStorageTests {
    /// AWS's published examples of Signature Version 4 for S3 ("Examples: Signature Calculations in AWS
    /// Signature Version 4", and "Authenticating Requests: Using Query Parameters"), with their key.
    static let exampleSigner = S3Signer(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region: "us-east-1")
    /// 2013-05-24T00:00:00Z, the examples' time.
    static let exampleTime = Date(timeIntervalSince1970: 1_369_353_600)

    @Test("requests are signed as AWS's published Signature Version 4 examples are")
    func publishedExamples() {
        let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        let get = Self.exampleSigner.headers(
            for: S3Signer.Request(
                method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt",
                headers: [("Range", "bytes=0-9")]),
            payloadHash: emptyHash, now: Self.exampleTime)
        #expect(
            get.first { $0.name == "Authorization" }?.value
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        // A PUT whose key needs percent-encoding ($), with a body.
        let body = Data("Welcome to Amazon S3.".utf8)
        let put = Self.exampleSigner.headers(
            for: S3Signer.Request(
                method: "PUT", host: "examplebucket.s3.amazonaws.com", path: "/test$file.text",
                headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")]),
            payloadHash: WebhookCrypto.hex(WebhookCrypto.sha256(body)), now: Self.exampleTime)
        #expect(
            put.first { $0.name == "Authorization" }?.value.hasSuffix(
                "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd") == true)
        let presigned = Self.exampleSigner.presignedQuery(
            for: S3Signer.Request(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt"),
            now: Self.exampleTime, lifetime: .seconds(86_400))
        #expect(
            presigned.hasSuffix("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"))
    }

    @Test("a kept file reads back by its digest; kept twice, it is uploaded once and marked used")
    func keepAndRead() async throws {
        let directory = try TestDirectory()
        let server = try await TestS3Server(recording: directory.path("moto.jsonl"))
        let store = server.store()
        let data = AttachmentTests.png
        let digest = try await store.keep(data)
        #expect(digest == (try await AttachmentTests.sha256(data)), "the digest is the bytes' SHA-256 (Python's)")
        #expect(try await store.read(digest) == data)
        #expect(try await store.read(String(repeating: "0", count: 64)) == nil, "nothing kept under another digest")
        #expect(try await store.keep(data) == digest)

        let path = "/\(TestS3Server.bucket)/files/\(digest.prefix(2))/\(digest)"
        let puts = try server.recorded("PUT", path: path)
        #expect(puts.filter { $0["x-amz-copy-source"] == nil }.count == 1, "uploaded once: \(puts)")
        #expect(puts.filter { $0["x-amz-copy-source"] != nil }.count == 2, "asked to copy onto itself twice")
        // Every request was signed with the key moto made, and moto (botocore's SigV4) checked each.
        #expect(puts.allSatisfy { $0["authorization"]?.contains("Credential=\(server.accessKeyID)/") == true })
    }

    @Test("a wrong secret, a missing bucket and a stopped server fail naming what to check, or as passing")
    func failures() async throws {
        let directory = try TestDirectory()
        let server = try await TestS3Server(recording: directory.path("moto.jsonl"))
        let wrongSecret = server.store(secret: server.secretAccessKey + "x")
        let error = await #expect(throws: AttachmentFailure.self) { try await wrongSecret.keep(Data("a".utf8)) }
        guard case .unreadable(let reason)? = error else {
            Issue.record("a refused key is not a failure that passes: \(String(describing: error))")
            return
        }
        #expect(reason.contains("SignatureDoesNotMatch") && reason.contains("attachments.s3.secret_access_key"))
        #expect(!reason.contains(server.secretAccessKey))

        var missing = server.settings()
        missing.bucket = "no-such-bucket"
        let noBucket = AttachmentObjects(
            ObjectStorage(missing, http: HTTPClient(maxInFlight: 1), connectTimeout: .seconds(2)))
        let bucketError = await #expect(throws: AttachmentFailure.self) { try await noBucket.keep(Data("b".utf8)) }
        #expect(bucketError?.reason.contains("attachments.s3.bucket") == true, "\(String(describing: bucketError))")

        await server.stop()
        let down = await #expect(throws: AttachmentFailure.self) { try await server.store().keep(Data("c".utf8)) }
        guard case .transient(let why)? = down else {
            Issue.record("a server that does not answer may answer later: \(String(describing: down))")
            return
        }
        #expect(why.contains("got no answer"))
    }

    @Test("objects last used before the cutoff are pruned a bounded batch at a time; keeping one again keeps it")
    func pruning() async throws {
        let directory = try TestDirectory()
        // Open: moto checks a listing's signature over its query as it decoded it (`prefix=files/`), where
        // SigV4 signs it encoded (`prefix=files%2F`), so it refuses every listing of a prefix, boto3's too.
        let server = try await TestS3Server(recording: directory.path("moto.jsonl"), open: true)
        let store = server.store()
        var digests: [String] = []
        for index in 0..<5 {
            digests.append(try await store.keep(Data("file \(index)".utf8)))
        }
        // Objects that are not the store's: another prefix, and a name of its own in this one.
        let raw = ObjectStorage(server.settings(), http: HTTPClient(maxInFlight: 1), connectTimeout: .seconds(2))
        try await raw.put("other/\(digests[0].prefix(2))/\(digests[0])", Data("x".utf8))
        try await raw.put("files/notes.txt", Data("x".utf8))
        let listed = try await raw.list(prefix: "files/", after: nil).objects
        #expect(listed.count == 6)
        let uploaded = try #require(listed.map(\.lastModified).max())

        // S3 dates objects to the second: once the clock is past that second, keeping the first file again
        // dates it later than every other.
        try await waitUntil("a second has passed since the uploads") { Date() >= uploaded + 1.5 }
        #expect(try await store.keep(Data("file 0".utf8)) == digests[0])
        let refreshed = try #require(
            try await raw.list(prefix: "files/", after: nil).objects.first { $0.key.hasSuffix(digests[0]) })
        #expect(refreshed.lastModified > uploaded)

        let cutoff = uploaded + 1
        #expect(await store.prune(usedBefore: cutoff, limit: 2) == 2)
        #expect(await store.prune(usedBefore: cutoff, limit: 2) == 2)
        #expect(await store.prune(usedBefore: cutoff, limit: 2) == 0)
        #expect(try await store.read(digests[0]) == Data("file 0".utf8), "used again: kept")
        for digest in digests.dropFirst() {
            #expect(try await store.read(digest) == nil)
        }
        let left = try await raw.list(prefix: "", after: nil).objects.map(\.key)
        #expect(left.contains("files/notes.txt") && left.contains("other/\(digests[0].prefix(2))/\(digests[0])"))
    }

    /// A configuration that asks `fake`'s agent and keeps files in `server`'s bucket, with nothing inline.
    static func configuration(_ fake: FakeProvider, _ server: TestS3Server, _ directory: TestDirectory)
        -> ChatConfiguration
    {
        var configuration = AttachmentTests.configuration(fake, keepingIn: directory)
        configuration.attachments.directory = nil
        configuration.attachments.s3 = server.settings()
        return configuration
    }

    @Test("a photo's turn keeps it in the bucket, and the agent's presigned link fetches it as botocore signs it")
    func photoTurn() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(.sqlite) { $0.clock = SystemClock() }
        let server = try await TestS3Server(recording: t.directory.path("moto.jsonl"), open: true)
        var configuration = Self.configuration(fake, server, t.directory)
        configuration.attachments.inlineBytes = 100
        let png = AttachmentTests.png
        try await fake.script(#"[{"path": "/cdn/photo", "raw_base64": "\#(png.base64EncodedString())"}]"#)
        var event = try Fixture(.discord, "guild_message").event()
        event.attachments = [InboundAttachment(kind: .image, reference: "\(fake.baseURL)/cdn/photo")]
        let agent = try await AttachmentTests.answer([event], store: t.store, configuration: configuration, fake: fake)
        let file = try #require((agent.first?["attachments"] as? [[String: Any]])?.first)
        let digest = try await AttachmentTests.sha256(png)
        #expect(file["sha256"] as? String == digest)
        #expect(file["data_base64"] == nil, "over inline_bytes: a link only")
        let link = try #require(file["url"] as? String)
        let object = "/\(TestS3Server.bucket)/files/\(digest.prefix(2))/\(digest)"
        #expect(link.hasPrefix(server.endpoint + object + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&"), "\(link)")
        #expect(link.contains("&X-Amz-Expires=3600&"))

        // The link alone, from another client: the bytes the provider served.
        let fetched = try await HTTPClient(maxInFlight: 1).send(HTTPRequest(.get, link))
        #expect(fetched.status == 200)
        #expect(fetched.body == png)
        #expect(try server.recorded("PUT", path: object).filter { $0["x-amz-copy-source"] == nil }.count == 1)
        #expect(
            !FileManager.default.fileExists(atPath: t.directory.path("attachments")),
            "with s3 the directory is not used")

        // Moto takes any presigned link (it checks none), so botocore, AWS's own signer, signs the link's
        // request with the same key, time and lifetime: the signatures must agree.
        let botocore = try await Self.python(
            [
                "-c",
                """
                import sys, urllib.parse as u
                from botocore.auth import S3SigV4QueryAuth
                from botocore.awsrequest import AWSRequest
                from botocore.credentials import Credentials
                link, key, secret = sys.argv[1:4]
                p = u.urlsplit(link); q = u.parse_qs(p.query)
                auth = S3SigV4QueryAuth(Credentials(key, secret), "s3", "us-east-1", expires=int(q["X-Amz-Expires"][0]))
                request = AWSRequest(method="GET", url=f"{p.scheme}://{p.netloc}{p.path}")
                request.context["timestamp"] = q["X-Amz-Date"][0]
                auth._modify_request_before_signing(request)
                print(auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request))
                """,
                link, server.accessKeyID, server.secretAccessKey,
            ])
        let signature = URLComponents(string: link)?.queryItems?.first { $0.name == "X-Amz-Signature" }?.value
        #expect(signature == botocore)
        #expect(botocore.count == 64)
    }

    @Test("an answer's file is kept in the bucket, and its delivery reads it back from there to the chat")
    func answerFileThroughTheBucket() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(.sqlite) { $0.clock = SystemClock() }
        let server = try await TestS3Server(recording: t.directory.path("moto.jsonl"))
        let png = AttachmentTests.png
        try await fake.script(
            #"[{"path": "/agent", "body": {"reply": "here", "attachments": [{"data_base64": "\#(png.base64EncodedString())", "file_name": "chart.png", "caption": "the chart"}]}}]"#
        )
        _ = try await AttachmentTests.answer(
            [try Fixture(.telegram, "private_message").event()], store: t.store,
            configuration: Self.configuration(fake, server, t.directory), fake: fake)
        let digest = try await AttachmentTests.sha256(png)
        let object = "/\(TestS3Server.bucket)/files/\(digest.prefix(2))/\(digest)"
        #expect(try server.recorded("PUT", path: object).filter { $0["x-amz-copy-source"] == nil }.count == 1)
        #expect(try server.recorded("GET", path: object).count == 1, "the delivery read the file from the bucket")
        let photo = try #require(
            try await fake.requests().first { ProviderRoute.telegramSendPhoto.matches($0["path"] as? String ?? "") })
        let part = (photo["form"] as? [[String: Any]])?.first { $0["name"] as? String == "photo" }
        #expect(part?["sha256"] as? String == digest)
        #expect(photo["text"] as? String == "the chart")
    }

    @Test("object storage survives a restart of the S3 server; a turn while it is down is retried, not lost")
    func serverRestart() async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let t = try await TestStore(.sqlite) { options in
            options.clock = SystemClock()
            options.retryPolicies = RetryPolicies(
                fallback: .exponentialJitter(initialDelay: .milliseconds(300), jitter: 0))
        }
        let server = try await TestS3Server(recording: t.directory.path("moto.jsonl"))
        let before = Data("kept before the restart".utf8)
        let beforeDigest = try await server.store().keep(before)
        await server.stop()

        // The server is down: the turn's attempt cannot keep the photo, fails as a failure that passes, and
        // the agent is not asked.
        let configuration = Self.configuration(fake, server, t.directory)
        let png = AttachmentTests.png
        try await fake.script(#"[{"path": "/cdn/photo", "times": 10, "raw_base64": "\#(png.base64EncodedString())"}]"#)
        var event = try Fixture(.discord, "guild_message").event()
        event.attachments = [InboundAttachment(kind: .image, reference: "\(fake.baseURL)/cdn/photo")]
        let id = try await t.store.enqueue(
            NewJob(queue: "chat", kind: ChatJob.turn, payload: ChatJob.turnPayload(event), maxAttempts: 10)
        ).jobID
        _ = try await work(t.store, configuration, until: "the turn's attempt failed on the stopped server") {
            try await t.store.job(id: id)?.lastError?.contains("object storage") == true
        }
        let failed = try #require(try await t.store.job(id: id))
        #expect(failed.state == .scheduled, "to be tried again")
        #expect(failed.lastError?.contains("got no answer") == true, "\(failed.lastError ?? "")")
        #expect(try await fake.requests().filter { $0["path"] as? String == "/agent" }.isEmpty)

        // Started again (moto replays its recording), the file kept before is there, and the retried turn
        // keeps the photo and asks the agent.
        let again = try await server.restarted()
        #expect(again.port == server.port)
        #expect(try await again.store().read(beforeDigest) == before)
        _ = try await work(t.store, configuration, until: "the retried turn is answered") {
            let job = try await t.store.job(id: id)
            return job == nil || job?.state == .completed
        }
        let agent = try await fake.requests().filter { $0["path"] as? String == "/agent" }
        #expect(agent.count == 1)
        let file = try #require(((agent.first?["body"] as? [String: Any])?["attachments"] as? [[String: Any]])?.first)
        #expect(file["sha256"] as? String == (try await AttachmentTests.sha256(png)), "\(file)")
        #expect((file["data_base64"] as? String).flatMap { Data(base64Encoded: $0) } == png)
        #expect(try await again.store().read(file["sha256"] as? String ?? "") == png)
    }

    /// What the tools' Python (with botocore) prints for `arguments`.
    static func python(_ arguments: [String]) async throws -> String {
        let child = try SwitchboardChild(executable: TestS3Server.python, arguments: arguments, errorOutput: .capture)
        let finished = await child.finish()
        try #require(finished.status == 0, "python \(arguments): \(finished.stderr)")
        return finished.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static let secret = "wJalrXUtnFEMI-switchboard-s3-test-secret-0123"

    static func s3(_ fields: String = "") -> String {
        #""s3": {"endpoint": "https://s3.example.com", "bucket": "files", "access_key_id": "AKIAEXAMPLE1", "secret_access_key": "\#(secret)"\#(fields)}"#
    }

    @Test(
        "object storage settings that cannot work are refused, naming the setting",
        arguments: [
            (
                #"{"s3": {"endpoint": "https://s3.example.com/?a=1", "bucket": "f", "access_key_id": "A", "secret_access_key": "S"}}"#,
                "attachments.s3.endpoint"
            ),
            (
                #"{"s3": {"endpoint": "ftp://s3.example.com", "bucket": "f", "access_key_id": "A", "secret_access_key": "S"}}"#,
                "attachments.s3.endpoint"
            ),
            (
                #"{"s3": {"endpoint": "https://s3.example.com", "bucket": "", "access_key_id": "A", "secret_access_key": "S"}}"#,
                "attachments.s3.bucket"
            ),
            (
                #"{"s3": {"endpoint": "https://s3.example.com", "bucket": "f", "secret_access_key": "S"}}"#,
                "attachments.s3.access_key_id"
            ),
            (
                #"{"s3": {"endpoint": "https://s3.example.com", "bucket": "f", "access_key_id": "A"}}"#,
                "attachments.s3.secret_access_key"
            ),
            (#"{"s3": {"bucket": "f", "access_key_id": "A", "secret_access_key": "S"}}"#, "attachments.s3.endpoint"),
            ("{\(s3(#", "prefix": "a/../b""#))}", "attachments.s3.prefix"),
            ("{\(s3(#", "secret": "x""#))}", "attachments.s3.secret"),
            ("{\"directory\": \"/var/lib/files\", \(s3())}", "attachments.directory"),
            (
                #"{"url_base": "https://bot.example.com", "url_secret": "a-long-enough-secret-0123456789abcdef", "#
                    + "\(s3())}", "attachments.url_base"
            ),
            ("{\"retain\": 3600, \"url_lifetime\": 7200, \(s3())}", "attachments.retain"),
        ])
    func badSettings(settings: String, field: String) throws {
        let error = try AttachmentTests.refusal(ofAttachments: settings)
        #expect(error.map { "\($0)".contains(field) } == true, "\(String(describing: error))")
        #expect(error.map { !"\($0)".contains(Self.secret) } == true)
    }

    @Test("the secret access key is read, masked in logs, and never shown by config check")
    func secretNeverShown() async throws {
        let directory = try TestDirectory()
        let good = directory.path("good.json")
        try Data(#"{"attachments": {\#(Self.s3(#", "prefix": "/bot/files/""#))}}"#.utf8).write(
            to: URL(fileURLWithPath: good))
        let configuration = try ChatConfiguration.load(file: good, environment: [:])
        let s3 = try #require(configuration.attachments.s3)
        #expect(s3.secretAccessKey == Self.secret && s3.region == "us-east-1" && s3.prefix == "bot/files")
        #expect(!configuration.redactor.redact("signing with \(Self.secret) now").contains(Self.secret))
        #expect(!"\(configuration)".contains(Self.secret) && !String(reflecting: configuration).contains(Self.secret))
        let checked = try await SwitchboardProcess.run(["config", "check", good])
        #expect(checked.status == 0, "\(checked.stderr)")

        let bad = directory.path("bad.json")
        try Data(#"{"attachments": {\#(Self.s3(#", "region": "us east""#))}}"#.utf8).write(
            to: URL(fileURLWithPath: bad))
        let refused = try await SwitchboardProcess.run(["config", "check", bad])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("attachments.s3.region"), "\(refused.stderr)")
        for output in [checked.stdout, checked.stderr, refused.stdout, refused.stderr] {
            #expect(!output.contains(Self.secret))
        }
    }
}
