import ChatStore
import Foundation
import HTTPClient
import Harness
import JSON
import Queue
import Synchronization
import Testing

/// `serve`'s API over real HTTP on loopback: users with JWTs minted by PyJWT, services with API tokens
/// made by the command line, on both databases.
@Suite("The HTTP API", .timeLimit(.minutes(3)))
struct APITests {
    static let secret = "a-shared-secret-of-the-web-app-0123456789"
    static let mint = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "APIScripts/mint.py"
    )
    .path

    /// A served database with the API configured: an HS256 secret, the test keys' JWKS file, an issuer and
    /// an audience; and an API token of each scope.
    struct Fixture {
        let directory: TestDirectory
        let location: StoreLocation
        let database: String
        let server: TestServer
        let links: String
        let jobs: String

        init(_ backend: TestBackend = .sqlite, jwt extra: String = "") async throws {
            directory = try TestDirectory()
            location = try await backend.newDatabase(in: directory)
            database = location.connectionText
            try await APITests.run(["keys", directory.url.path])
            let config = directory.path("api.json")
            let jwt =
                #""secret": "\#(APITests.secret)", "jwks_file": "\#(directory.path("jwks.json"))", "issuer": "https://id.example", "audience": "switchboard"\#(extra)"#
            try Data(
                #"{"api": {"jwt": {\#(jwt)}, "telegram_bot_username": "SwitchboardBot"}, "links": {"link_base_url": "https://app.example/link/"}}"#
                    .utf8
            ).write(to: URL(fileURLWithPath: config))
            _ = FileManager.default.createFile(atPath: directory.path("responses.jsonl"), contents: nil)
            links = try await Self.apiToken("bot", "links", database)
            jobs = try await Self.apiToken("backend", "jobs", database)
            server = try await TestServer(["--config", config], database: database)
        }

        static func apiToken(_ name: String, _ scope: String, _ database: String) async throws -> String {
            let created = try await SwitchboardProcess.run(
                ["--json", "api-token", "create", "--name", name, "--scope", scope], database: database)
            try #require(created.status == 0, "\(created.stderr)")
            return try #require(APITests.object(created.stdout)["token"]?.stringValue)
        }

        /// A user's token, HS256 with the shared secret unless `spec` says otherwise.
        func user(_ account: String, _ spec: JSONObject = [:]) async throws -> String {
            var claims: JSONObject = [
                "sub": account, "iss": "https://id.example", "aud": "switchboard",
                "exp": Int(Date().timeIntervalSince1970) + 600,
            ]
            for member in spec["claims"]?.objectValue?.members ?? [] {
                claims.set(member.key, member.value)
            }
            var full: JSONObject = ["alg": "HS256", "key": APITests.secret]
            for member in spec.members where member.key != "claims" {
                full.set(member.key, member.value)
            }
            full.set("claims", claims)
            return try await APITests.run(
                ["token"], stdin: String(decoding: JSONValue.object(full).serialized, as: UTF8.self))
        }

        /// Sends a request, and keeps its response for `checkConformance`.
        func call(
            _ method: HTTPRequest.Method, _ path: String, bearer: String?, body: String? = nil
        ) async throws -> (status: Int, json: JSONObject) {
            var headers = bearer.map { [(name: "Authorization", value: "Bearer \($0)")] } ?? []
            if body != nil { headers.append(("Content-Type", "application/json")) }
            let response = try await server.client.send(
                HTTPRequest(method, server.baseURL + path, headers: headers, body: body.map { Data($0.utf8) }))
            let text = String(decoding: response.body, as: UTF8.self)
            let seen: JSONObject = [
                "method": method.rawValue, "path": String(path.prefix { $0 != "?" }), "status": response.status,
                "content_type": response.headers["content-type"] ?? JSONValue.null, "body": text,
            ]
            try seenResponses.append(JSONValue.object(seen).serialized + Data("\n".utf8), to: responses)
            return (response.status, text.isEmpty ? JSONObject() : APITests.object(text))
        }

        /// Where `call` keeps what it saw, one line per response.
        var responses: String { directory.path("responses.jsonl") }
        let seenResponses = ResponseLog()

        /// Checks every response `call` saw against the OpenAPI document's schema for its route and status.
        func checkConformance() async throws {
            let checked = try SwitchboardChild(
                executable: OpenAPITests.python, arguments: [OpenAPITests.conform, OpenAPITests.document, responses],
                errorOutput: .capture)
            let result = await checked.finish()
            #expect(
                result.status == 0,
                "responses that do not match the OpenAPI document:\n\(result.stdout)\(result.stderr)")
        }
    }

    /// The lines `Fixture.call` appends to a file, one call at a time (calls run concurrently).
    final class ResponseLog: Sendable {
        private let lock = Mutex(())

        func append(_ line: Data, to path: String) throws {
            try lock.withLock { _ in
                let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                defer { try? file.close() }
                try file.seekToEnd()
                try file.write(contentsOf: line)
            }
        }
    }

    static func object(_ text: String) -> JSONObject {
        (try? JSONParser.parse(Data(text.utf8)))?.objectValue ?? JSONObject()
    }

    /// Runs mint.py under Debian's Python, which has PyJWT; returns its output's first line.
    @discardableResult
    static func run(_ arguments: [String], stdin: String = "") async throws -> String {
        let child = try SwitchboardChild(executable: "/usr/bin/python3", arguments: [mint] + arguments)
        child.write(stdin)
        let finished = await child.finish()
        try #require(finished.status == 0, "mint.py \(arguments): \(finished.stderr)")
        return finished.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a bot service issues a link token, a user confirms it and manages the link", arguments: TestBackend.all)
    func serverLinkFlow(backend: TestBackend) async throws {
        let api = try await Fixture(backend)
        let issued = try await api.call(
            .post, "/api/v1/link-tokens", bearer: api.links,
            body: #"{"type": "server", "platform": "discord", "subject": "81384788765712384", "server_name": "Lounge"}"#
        )
        #expect(issued.status == 201)
        let token = try #require(issued.json["token"]?.stringValue)
        #expect(issued.json["url"]?.stringValue == "https://app.example/link/" + token)
        let alice = try await api.user("alice")
        let info = try await api.call(.get, "/api/v1/link-tokens/\(token)", bearer: alice)
        #expect(info.status == 200)
        #expect(info.json["platform"]?.stringValue == "discord" && info.json["type"]?.stringValue == "server")
        #expect(info.json["server_name"]?.stringValue == "Lounge")
        #expect(info.json["subject"] == nil, "the page is not told which server")
        #expect(
            try await api.call(.post, "/api/v1/user-link-tokens/\(token)/confirm", bearer: alice).json["code"]
                == .string("wrong_flow"))
        let confirmed = try await api.call(.post, "/api/v1/link-tokens/\(token)/confirm", bearer: alice)
        #expect(confirmed.status == 200)
        let id = try #require(confirmed.json["id"]?.integerValue)
        let again = try await api.call(.post, "/api/v1/link-tokens/\(token)/confirm", bearer: alice)
        #expect(again.status == 410 && again.json["code"]?.stringValue == "expired_or_used")
        #expect(try await api.call(.get, "/api/v1/link-tokens/\(token)", bearer: alice).status == 410)
        let status = try await api.call(.get, "/api/v1/link-tokens/\(token)/status", bearer: api.links)
        #expect(status.json["status"]?.stringValue == "linked")
        let owner = try await api.call(
            .get, "/api/v1/owners?type=server&platform=discord&id=81384788765712384", bearer: api.links)
        #expect(owner.json["account"]?.stringValue == "alice")
        #expect(try await api.call(.get, "/api/v1/links", bearer: alice).json["links"]?.arrayValue?.count == 1)
        #expect(
            try await api.call(.get, "/api/v1/user-links", bearer: alice).json["links"]?.arrayValue?.isEmpty == true)
        let bob = try await api.user("bob")
        let stolen = try await api.call(.delete, "/api/v1/links/\(id)", bearer: bob)
        #expect(stolen.status == 403 && stolen.json["code"]?.stringValue == "not_owner")
        #expect(try await api.call(.delete, "/api/v1/user-links/\(id)", bearer: alice).status == 404)
        #expect(try await api.call(.delete, "/api/v1/links/\(id)", bearer: alice).status == 204)
        #expect(try await api.call(.get, "/api/v1/links", bearer: alice).json["links"]?.arrayValue?.isEmpty == true)
        try await api.checkConformance()
    }

    @Test(
        "two users confirming one token at once: exactly one link, the other answer is 410", arguments: TestBackend.all)
    func racingConfirmations(backend: TestBackend) async throws {
        let api = try await Fixture(backend)
        for round in 0..<5 {
            let issued = try await api.call(
                .post, "/api/v1/link-tokens", bearer: api.links,
                body: #"{"type": "user", "platform": "telegram", "subject": "user-\#(round)"}"#)
            let token = try #require(issued.json["token"]?.stringValue)
            let users = [try await api.user("alice"), try await api.user("bob")]
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for user in users {
                    group.addTask {
                        try await api.call(.post, "/api/v1/user-link-tokens/\(token)/confirm", bearer: user).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.sorted() == [200, 410], "round \(round): \(statuses)")
            let owner = try await api.call(
                .get, "/api/v1/owners?type=user&platform=telegram&id=user-\(round)", bearer: api.links)
            #expect(owner.json["linked"] == .bool(true))
        }
        try await api.checkConformance()
    }

    @Test("RS256 and ES256 tokens verify with the key set's keys, chosen by kid")
    func publicKeyAlgorithms() async throws {
        let api = try await Fixture()
        let directory = api.directory
        for (alg, key, kid) in [("RS256", "rsa.pem", "rsa-1"), ("ES256", "ec.pem", "ec-1")] {
            let token = try await api.user(
                "carol", ["alg": alg, "key": directory.path(key), "headers": ["kid": kid] as JSONObject])
            let answer = try await api.call(.get, "/api/v1/links", bearer: token)
            #expect(answer.status == 200, "\(alg): \(answer.json)")
            let wrongKid = try await api.user(
                "carol",
                [
                    "alg": alg, "key": directory.path(key),
                    "headers": ["kid": kid == "ec-1" ? "rsa-1" : "ec-1"] as JSONObject,
                ])
            #expect(
                try await api.call(.get, "/api/v1/links", bearer: wrongKid).status == 401, "\(alg) with another kid")
        }
        try await api.checkConformance()
    }

    @Test("the account is the configured claim")
    func accountClaim() async throws {
        let api = try await Fixture(jwt: #", "account_claim": "email""#)
        let issued = try await api.call(
            .post, "/api/v1/link-tokens", bearer: api.links,
            body: #"{"type": "user", "platform": "slack", "subject": "U1"}"#)
        let token = try #require(issued.json["token"]?.stringValue)
        let confirmed = try await SwitchboardProcess.run(
            ["link", "confirm", token, "--account", "ada@example.com"], database: api.database)
        #expect(confirmed.status == 0, "\(confirmed.stderr)")
        let ada = try await api.user("someone-else", ["claims": ["email": "ada@example.com"] as JSONObject])
        let links = try await api.call(.get, "/api/v1/user-links", bearer: ada)
        #expect(links.json["links"]?.arrayValue?.count == 1, "the links of the account in the email claim")
        let missing = try await api.user("bob")
        #expect(try await api.call(.get, "/api/v1/links", bearer: missing).status == 401, "no email claim")
        try await api.checkConformance()
    }

    @Test("tokens that must be refused are 401, naming why")
    func refusedTokens() async throws {
        let api = try await Fixture()
        let directory = api.directory
        let now = Int(Date().timeIntervalSince1970)
        let cases: [(String, JSONObject, String)] = [
            ("alg none", ["raw": "none", "key": ""], "algorithm none"),
            (
                "the RSA public key used as an HMAC secret",
                [
                    "raw": "hmac-with-file", "key": directory.path("rsa.pub.pem"),
                    "headers": ["kid": "rsa-1"] as JSONObject,
                ],
                "signature"
            ),
            ("expired", ["claims": ["exp": now - 3600] as JSONObject], "expired"),
            ("not yet valid", ["claims": ["nbf": now + 3600] as JSONObject], "not valid yet"),
            ("another issuer", ["claims": ["iss": "https://evil.example"] as JSONObject], "iss"),
            ("another audience", ["claims": ["aud": ["other"]] as JSONObject], "aud"),
            ("another secret", ["key": "another-secret-of-someone-else-0123456789"], "signature"),
            ("signed by a key not configured", ["alg": "RS256", "key": directory.path("rsa1024.pem")], "signature"),
        ]
        for (name, spec, reason) in cases {
            let token = try await api.user("mallory", spec)
            let answer = try await api.call(.get, "/api/v1/links", bearer: token)
            #expect(answer.status == 401, "\(name)")
            #expect(answer.json["code"]?.stringValue == "unauthenticated", "\(name)")
            #expect(answer.json["detail"]?.stringValue?.contains(reason) == true, "\(name): \(answer.json)")
        }
        let valid = try await api.user("mallory")
        let parts = valid.split(separator: ".")
        let tampered = parts[0] + "." + parts[1] + "." + String(parts[2].reversed())
        #expect(try await api.call(.get, "/api/v1/links", bearer: String(tampered)).status == 401)
        #expect(try await api.call(.get, "/api/v1/links", bearer: nil).status == 401)
        try await api.checkConformance()
    }

    @Test("keys from a JWKS URL: fetched when first needed, not again for unknown kids within the minute")
    func keySetURL() async throws {
        let directory = try TestDirectory()
        try await APITests.run(["keys", directory.url.path])
        let keys = try SwitchboardChild(
            executable: "/usr/bin/python3",
            arguments: ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", directory.url.path],
            errorOutput: .capture)
        defer { keys.signal(SIGKILL) }
        let banner = try await keys.expectLine("the key server's port")
        let port = try #require(banner.split(separator: " ").dropFirst(5).first)
        let config = directory.path("api.json")
        try Data(
            #"{"api": {"jwt": {"jwks_url": "http://127.0.0.1:\#(port)/jwks.json", "issuer": "https://id.example", "audience": "switchboard"}}}"#
                .utf8
        ).write(to: URL(fileURLWithPath: config))
        let server = try await TestServer(["--config", config], database: directory.databasePath)
        let exp = Int(Date().timeIntervalSince1970) + 600
        func status(kid: String) async throws -> Int {
            let spec: JSONObject = [
                "alg": "ES256", "key": directory.path("ec.pem"),
                "claims": ["sub": "dave", "exp": exp, "iss": "https://id.example", "aud": "switchboard"] as JSONObject,
                "headers": ["kid": kid] as JSONObject,
            ]
            let token = try await APITests.run(
                ["token"], stdin: String(decoding: JSONValue.object(spec).serialized, as: UTF8.self))
            return try await server.send(.get, "/api/v1/links", headers: [("Authorization", "Bearer \(token)")]).status
        }
        #expect(try await status(kid: "ec-1") == 200)
        for _ in 0..<5 {
            #expect(try await status(kid: "ec-unknown") == 401)
        }
        #expect(try await status(kid: "ec-1") == 200)
        let fetches = keys.errorOutputSoFar.components(separatedBy: "GET /jwks.json").count - 1
        #expect(
            fetches == 1,
            "fetched at the first use; unknown kids within the minute fetch nothing: \(keys.errorOutputSoFar)")
    }

    @Test("serve refuses a key it cannot use, naming the setting and the file")
    func unusableKeys() async throws {
        let directory = try TestDirectory()
        try await APITests.run(["keys", directory.url.path])
        try Data(#"{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}"#.utf8).write(
            to: URL(fileURLWithPath: directory.path("oct.json")))
        for (setting, file, reason) in [
            ("public_key_file", "rsa1024.pub.pem", "at least 2048 bits"),
            ("public_key_file", "jwks.json", "no PEM public key"),
            ("jwks_file", "oct.json", "no RSA"),
            ("secret", "", "at least 32 characters"),
        ] {
            let value = setting == "secret" ? "short" : directory.path(file)
            let config = directory.path("bad.json")
            try Data(#"{"api": {"jwt": {"\#(setting)": "\#(value)", "audience": "switchboard"}}}"#.utf8).write(
                to: URL(fileURLWithPath: config))
            let served = try await SwitchboardProcess.run(
                ["serve", "--listen", "127.0.0.1:0", "--config", config], database: directory.databasePath)
            #expect(served.status != 0, "\(setting) \(file)")
            #expect(served.stderr.contains("api.jwt.\(setting)") && served.stderr.contains(reason), "\(served.stderr)")
        }
    }

    @Test(
        "config check refuses user-token settings that would let others' tokens in",
        arguments: [
            (#""jwks_url": "http://id.example/jwks", "issuer": "i", "audience": "a""#, "https://"),
            (#""jwks_url": "https://id.example/jwks", "audience": "a""#, "issuer"),
            (#""jwks_file": "/x.json""#, "audience"),
            (#""secret": "a-secret-the-web-app-shares-0123456789", "account_claim": """#, "account_claim"),
        ])
    func unsafeSettings(settings: String, named: String) async throws {
        let directory = try TestDirectory()
        let config = directory.path("api.json")
        try Data(#"{"api": {"jwt": {\#(settings)}}}"#.utf8).write(to: URL(fileURLWithPath: config))
        let checked = try await SwitchboardProcess.run(["config", "check", config])
        #expect(checked.status == 65, "\(checked.stderr)")
        #expect(checked.stderr.contains(named), "\(checked.stderr)")
    }

    @Test("a user's success forgets no failed guess; expired tokens are no guesses; one Authorization header only")
    func limiterAndHeaders() async throws {
        let api = try await Fixture()
        let expired = try await api.user(
            "alice", ["claims": ["exp": Int(Date().timeIntervalSince1970) - 3600] as JSONObject])
        for _ in 0..<15 {
            #expect(try await api.call(.get, "/api/v1/links", bearer: expired).status == 401, "not counted")
        }
        let alice = try await api.user("alice")
        let twice = try await api.server.client.send(
            HTTPRequest(
                .get, api.server.baseURL + "/api/v1/links",
                headers: [("Authorization", "Bearer \(alice)"), ("Authorization", "Bearer sbk_other")]))
        #expect(twice.status == 400)
        let parts = alice.split(separator: ".")
        let signature = Array(parts[2])
        let last = try #require(signature.last)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let flipped = alphabet[(alphabet.firstIndex(of: last) ?? 0) ^ 1]
        let malleable = parts[0] + "." + parts[1] + "." + String(signature.dropLast() + [flipped])
        #expect(try await api.call(.get, "/api/v1/links", bearer: String(malleable)).status == 401)
        let wrongMethod = try await api.call(.put, "/api/v1/links", bearer: alice)
        #expect(wrongMethod.status == 405 && wrongMethod.json["code"]?.stringValue == "method_not_allowed")
        let odd = try await api.call(
            .post, "/api/v1/link-tokens", bearer: api.links,
            body: #"{"type": "user", "platform": "discord", "subject": "a\u0007b"}"#)
        #expect(odd.status == 422 && odd.json["detail"]?.stringValue?.contains("user id") == true, "\(odd.json)")
        let unknown = try await api.call(
            .post, "/api/v1/link-tokens", bearer: api.links,
            body: #"{"type": "user", "platform": "myspace", "subject": "u"}"#)
        #expect(unknown.status == 422 && unknown.json["detail"]?.stringValue?.contains("platform") == true)
        // Ten failures, then one per 6 s. The guesses go at once, so the ten are spent well inside one period;
        // a refusal's Retry-After (rounded up) says its hold lasts past `sent` + Retry-After - 1 s, and alice's
        // request is judged only when answered inside that; on a machine too loaded for that, the round is
        // tried again (FailedAuthenticationMeasuredAlone times the periods themselves).
        var judged = false
        for round in 0..<5 where !judged {
            let sent = ContinuousClock.now
            let refusals = try await withThrowingTaskGroup(of: HTTPResponse.self) { group in
                for guess in 0..<12 {
                    group.addTask {
                        try await api.server.client.send(
                            HTTPRequest(
                                .get, api.server.baseURL + "/api/v1/queues",
                                headers: [("Authorization", "Bearer sbk_guess\(round)_\(guess)")]))
                    }
                }
                return try await group.reduce(into: [HTTPResponse]()) { if $1.status == 429 { $0.append($1) } }
            }
            let held = refusals.compactMap { $0.headers["retry-after"].flatMap { Int($0) } }.max() ?? 0
            #expect(!refusals.isEmpty && held >= 1, "twelve guesses at once: the last are refused")
            let status = try await api.call(.get, "/api/v1/links", bearer: alice).status
            if ContinuousClock.now < sent + .seconds(held - 1) {
                #expect(status == 429, "a success is no way past")
                judged = true
            }
        }
        #expect(judged, "alice's request was never answered inside a refusal's hold")
        try await api.checkConformance()
    }

    @Test("API tokens: a scope they lack is 403, a revoked one 401; users and services keep to their routes")
    func apiTokenScopes() async throws {
        let api = try await Fixture()
        let wrongScope = try await api.call(.get, "/api/v1/queues", bearer: api.links)
        #expect(wrongScope.status == 403 && wrongScope.json["code"]?.stringValue == "insufficient_scope")
        #expect(try await api.call(.get, "/api/v1/queues", bearer: api.jobs).status == 200)
        #expect(try await api.call(.get, "/api/v1/links", bearer: api.jobs).status == 403)
        let alice = try await api.user("alice")
        #expect(try await api.call(.get, "/api/v1/queues", bearer: alice).status == 403)
        let listed = try await SwitchboardProcess.run(["api-token", "list"], database: api.database)
        #expect(listed.stdout.contains("backend") && !listed.stdout.contains(api.jobs), "the secret is never listed")
        let revoked = try await SwitchboardProcess.run(
            ["api-token", "revoke", "--name", "backend"], database: api.database)
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(try await api.call(.get, "/api/v1/queues", bearer: api.jobs).status == 401)
        let taken = try await SwitchboardProcess.run(
            ["api-token", "create", "--name", "bot", "--scope", "jobs"], database: api.database)
        #expect(taken.status == 65 && taken.stderr.contains("already in force"), "\(taken.stderr)")
        try await api.checkConformance()
    }

    @Test("hostile token paths and ids are 404 without a lookup; a flood of bad credentials is 429")
    func hostilePaths() async throws {
        let api = try await Fixture()
        let alice = try await api.user("alice")
        for path in [
            "/api/v1/link-tokens/%24abc", "/api/v1/link-tokens/..%2F..%2Fetc",
            "/api/v1/link-tokens/"
                + String(repeating: "a", count: 65),
            "/api/v1/links/1%20OR%201=1", "/api/v1/links/-1", "/api/v1/links/0", "/api/v1/links/99999999999999999999",
            "/api/v1/nothing",
        ] {
            let method: HTTPRequest.Method = path.hasPrefix("/api/v1/links/") ? .delete : .get
            let answer = try await api.call(method, path, bearer: alice)
            #expect(answer.status == 404, "\(path): \(answer.status)")
            #expect(answer.json["code"]?.stringValue == "not_found", "\(path)")
        }
        // After a burst of 10 failures one more guess is let through per 6 s, so on a slow machine a
        // guess in the middle of the flood may be a 401: count them against the time the flood took.
        var statuses: [Int] = []
        let started = ContinuousClock.now
        for attempt in 0..<40 {
            statuses.append(try await api.call(.get, "/api/v1/queues", bearer: "sbk_guess\(attempt)").status)
        }
        let elapsed = ContinuousClock.now - started
        let allowed = 10 + Int((elapsed / .seconds(6)).rounded(.up))
        #expect(statuses.first == 401)
        #expect(Set(statuses) == [401, 429], "\(statuses)")
        #expect(statuses.count { $0 == 401 } <= allowed, "\(statuses) in \(elapsed)")
        try await api.checkConformance()
    }

    @Test(
        "a job enqueued through the API is run by a worker; a duplicate key answers the holder",
        arguments: TestBackend.all)
    func enqueueThroughTheAPI(backend: TestBackend) async throws {
        let api = try await Fixture(backend)
        let one = try await api.call(
            .post, "/api/v1/jobs", bearer: api.jobs,
            body: #"{"queue": "mail", "kind": "welcome", "payload": {"to": "a"}, "dedupe_key": "welcome-a"}"#)
        #expect(one.status == 201 && one.json["status"]?.stringValue == "enqueued")
        let id = try #require(one.json["id"]?.integerValue)
        let batch = try await api.call(
            .post, "/api/v1/jobs", bearer: api.jobs,
            body:
                #"{"jobs": [{"queue": "mail", "kind": "welcome", "dedupe_key": "welcome-a"}, {"queue": "mail", "kind": "digest"}]}"#
        )
        let results = try #require(batch.json["jobs"]?.arrayValue)
        #expect(results.first?.objectValue?["status"]?.stringValue == "duplicate")
        #expect(results.first?.objectValue?["id"]?.integerValue == id)
        let bad = try await api.call(.post, "/api/v1/jobs", bearer: api.jobs, body: #"{"queue": "mail"}"#)
        #expect(bad.status == 422 && bad.json["detail"]?.stringValue?.contains("kind") == true, "\(bad.json)")
        let shown = try await api.call(.get, "/api/v1/jobs/\(id)", bearer: api.jobs)
        #expect(shown.json["state"]?.stringValue == "ready")
        let worked = try await SwitchboardProcess.run(
            ["work", "--queue", "mail", "--exec", "true", "--drain"], database: api.database)
        #expect(worked.status == 0, "\(worked.stderr)")
        #expect(try await api.call(.get, "/api/v1/jobs/\(id)", bearer: api.jobs).status == 404, "completed and deleted")
        #expect(try await api.call(.post, "/api/v1/jobs/\(id)/cancel", bearer: api.jobs).status == 404)
        try await api.checkConformance()
    }

    @Test("a job's state, cancel and retry, dead letters and their redrive, queue counts", arguments: TestBackend.all)
    func queueControl(backend: TestBackend) async throws {
        let api = try await Fixture(backend)
        let failing = try await api.call(
            .post, "/api/v1/jobs", bearer: api.jobs, body: #"{"queue": "q", "kind": "k", "max_attempts": 1}"#)
        let dead = try #require(failing.json["id"]?.integerValue)
        let worked = try await SwitchboardProcess.run(
            ["work", "--queue", "q", "--exec", "exit 65", "--drain"], database: api.database)
        #expect(worked.status == 0, "\(worked.stderr)")
        let letters = try await api.call(.get, "/api/v1/dead-letters?queue=q&limit=10", bearer: api.jobs)
        #expect(letters.json["dead_letters"]?.arrayValue?.first?.objectValue?["id"]?.integerValue == dead)
        #expect(try await api.call(.get, "/api/v1/dead-letters?limit=0", bearer: api.jobs).status == 422)
        let redriven = try await api.call(
            .post, "/api/v1/dead-letters/redrive", bearer: api.jobs, body: #"{"ids": [\#(dead)]}"#)
        #expect(redriven.json["redriven"]?.integerValue == 1)
        let cancelled = try await api.call(.post, "/api/v1/jobs/\(dead)/cancel", bearer: api.jobs)
        #expect(cancelled.status == 200 && cancelled.json["previous_state"]?.stringValue == "ready")
        let again = try await api.call(.post, "/api/v1/jobs/\(dead)/cancel", bearer: api.jobs)
        #expect(again.status == 409 && again.json["code"]?.stringValue == "wrong_state")
        let retried = try await api.call(.post, "/api/v1/jobs/\(dead)/retry", bearer: api.jobs)
        #expect(retried.status == 200 && retried.json["previous_state"]?.stringValue == "dead")
        let shown = try await api.call(.get, "/api/v1/jobs/\(dead)", bearer: api.jobs)
        #expect(shown.json["state"]?.stringValue == "ready")
        #expect(shown.json["error_history"]?.arrayValue?.count == 1)
        let queues = try await api.call(.get, "/api/v1/queues", bearer: api.jobs)
        let counts = queues.json["queues"]?.arrayValue?.first { $0.objectValue?["queue"]?.stringValue == "q" }
        #expect(counts?.objectValue?["counts"]?.objectValue?["ready"]?.integerValue == 1, "\(queues.json)")
        try await api.checkConformance()
    }

    @Test(
        "channel connections: providers, codes with Telegram's deep link, listing and revoking only one's own",
        arguments: TestBackend.all)
    func connections(backend: TestBackend) async throws {
        let api = try await Fixture(backend)
        let alice = try await api.user("alice")
        let providers = try await api.call(.get, "/api/v1/connections/providers", bearer: alice)
        let methods = Dictionary(
            uniqueKeysWithValues: (providers.json["providers"]?.arrayValue ?? []).compactMap { entry in
                entry.objectValue.flatMap { o in o["provider"]?.stringValue.map { ($0, o["method"]?.stringValue ?? "") }
                }
            })
        #expect(methods["telegram"] == "deep_link" && methods["slack"] == "code")
        let code = try await api.call(.post, "/api/v1/connections/telegram/codes", bearer: alice)
        #expect(code.status == 201)
        let value = try #require(code.json["code"]?.stringValue)
        #expect(code.json["url"]?.stringValue == "https://t.me/SwitchboardBot?start=\(value)")
        let store = try await SwitchboardDatabase.open(api.location)
        let chat = try ChatStore(store)
        let identity = ChannelIdentity(provider: "telegram", workspace: "chat-1", user: "user-1")
        #expect(try await chat.consumeConnectCode(digest: try SecretToken.digest(value), identity: identity) == "alice")
        let listed = try await api.call(.get, "/api/v1/connections", bearer: alice)
        let id = try #require(listed.json["connections"]?.arrayValue?.first?.objectValue?["id"]?.integerValue)
        let cli = try await SwitchboardProcess.run(["connect", "list", "--owner", "alice"], database: api.database)
        #expect(cli.stdout.contains("chat-1"), "\(cli.stdout)")
        let bob = try await api.user("bob")
        #expect(try await api.call(.delete, "/api/v1/connections/\(id)", bearer: bob).status == 403)
        #expect(try await api.call(.delete, "/api/v1/connections/\(id)", bearer: alice).status == 204)
        #expect(try await chat.connectedOwner(identity) == nil)
        #expect(try await api.call(.post, "/api/v1/connections/myspace/codes", bearer: alice).status == 404)
        try await api.checkConformance()
    }
}
