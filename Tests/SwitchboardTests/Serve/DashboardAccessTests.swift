import Foundation
import HTTPClient
import Harness
import Testing
import Workers

/// Who may try a secret how often, and what `serve` believes of a proxy: failed sign-ins and intake
/// tokens limited per client address, the session cookie's `Secure`, the settings that govern them.
@Suite("Dashboard and intake access", .serialized, .timeLimit(.minutes(3)))
struct DashboardAccessTests {
    static let intakeToken = "intake-SECRET-token-0123456789abcdef"
    static let intake = #""intake": {"token": "\#(intakeToken)"}, "#

    /// One request from `source`, another loopback address than the test's own, through Python's
    /// http.client: how a second client looks to `serve`.
    static func send(
        from source: String, to server: TestServer, _ method: String, _ path: String, headers: [String: String],
        body: String
    ) async throws -> (status: Int, retryAfter: String?) {
        let script = """
            import http.client, json, sys
            source, port, method, path, headers, body = sys.argv[1:7]
            connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30, source_address=(source, 0))
            connection.request(method, path, body=body.encode(), headers=json.loads(headers))
            response = connection.getresponse()
            print(json.dumps({"status": response.status, "retry_after": response.getheader("Retry-After")}))
            """
        let headerText = String(decoding: try JSONSerialization.data(withJSONObject: headers), as: UTF8.self)
        let python = try SwitchboardChild(
            executable: "/usr/bin/python3",
            arguments: ["-c", script, source, String(server.process.port), method, path, headerText, body],
            errorOutput: .capture)
        let result = await python.finish()
        let answer = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
        return (try #require(answer["status"] as? Int), answer["retry_after"] as? String)
    }

    static func signIn(
        _ server: TestServer, token: String = DashboardTests.token, headers: [(name: String, value: String)] = []
    ) async throws -> HTTPResponse {
        try await DashboardTests.fetch(
            server, .post, "/dashboard/sign-in", headers: DashboardTests.form + headers, body: "token=\(token)")
    }

    static func intake(_ server: TestServer, token: String, headers: [(name: String, value: String)] = [])
        async throws -> HTTPResponse
    {
        try await DashboardTests.fetch(
            server, .post, "/intake/telegram",
            headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")] + headers,
            body: ServeTests.telegramUpdate(Int.random(in: 1...1_000_000)))
    }

    @Test("without a token, serve warns at start that anyone who reaches a non-loopback address reads chat text")
    func exposureWarned() async throws {
        let directory = try TestDirectory()
        for (listen, token, warned) in [
            ("0.0.0.0:0", nil, true), ("[::]:0", nil, true), ("127.0.0.1:0", nil, false),
            ("0.0.0.0:0", DashboardTests.token, false),
        ] {
            let config = try DashboardTests.config(in: directory, token: token)
            let child = try SwitchboardProcess.start(
                ["--json", "serve", "--listen", listen, "--config", config], database: directory.databasePath)
            // The warning comes before the line saying where serve listens; the child's stderr is read
            // to its end once it is gone.
            _ = try await ServeProcess(child)
            child.signal(SIGKILL)
            let stderr = await child.finish().stderr
            #expect(stderr.contains("can read the dashboard, chat text included") == warned, "\(listen): \(stderr)")
        }
    }

    @Test(
        "the dashboard's settings are checked: a wrong type or an address that is not one is refused by name",
        arguments: [
            (#"{"dashboard": {"public_read": "yes"}}"#, "dashboard.public_read must be"),
            (#"{"dashboard": {"secure_cookei": true}}"#, "dashboard.secure_cookei is not a known setting"),
            (#"{"trusted_proxies": ["127.0.0.1", "proxy.internal"]}"#, "trusted_proxies[1] must be a numeric"),
            (#"{"trusted_proxies": "127.0.0.1"}"#, "trusted_proxies must be an array"),
        ])
    func settingsChecked(contents: String, message: String) async throws {
        let directory = try TestDirectory()
        let file = directory.path("switchboard.json")
        try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
        let refused = try await SwitchboardProcess.run(["config", "check", file])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains(message), "\(refused.stderr)")
        let good =
            #"{"trusted_proxies": ["10.0.0.2", "::1"], "dashboard": {"public_read": true, "secure_cookie": true}}"#
        try Data(good.utf8).write(to: URL(fileURLWithPath: file))
        #expect(try await SwitchboardProcess.run(["config", "check", file]).status == 0)
    }
}

/// The limit on failed authentications forgets one failure every 6 s, so what it allows depends on how
/// fast the tries come: the tests that count on it run with the machine quiet, after the other suites.
@Suite("Limiting failed authentications, timed (measured alone)", .serialized, .timeLimit(.minutes(3)))
struct FailedAuthenticationMeasuredAlone {
    @Test(
        "wrong dashboard and intake tokens are limited per client address: then 429 with Retry-After, other addresses served, the right token after the wait"
    )
    func failuresLimited() async throws {
        let directory = try TestDirectory()
        let server = try await TestServer(
            [
                "--config",
                try DashboardTests.config(in: directory, token: DashboardTests.token, top: DashboardAccessTests.intake),
            ],
            database: directory.databasePath)
        defer { server.child.signal(SIGKILL) }
        var attempts = 0
        var refused: HTTPResponse?
        let started = ContinuousClock.now
        while refused == nil, attempts < 1_000 {
            let answer = try await DashboardAccessTests.signIn(server, token: "wrong-\(attempts)")
            attempts += 1
            if answer.status == 429 { refused = answer } else { #expect(answer.status == 401) }
        }
        // Ten wrong tokens, then refused; one more may be allowed for each 6 s the tries took (a loaded
        // machine may be that slow: the server's 6 s periods need not fall where this count's do).
        let forgotten = Int((ContinuousClock.now - started) / .seconds(6))
        #expect((11...(11 + forgotten)).contains(attempts), "ten wrong tokens, then refused (\(attempts) tries)")
        let retryAfter = try #require(refused?.headers["retry-after"].flatMap(Int.init))
        #expect((1...60).contains(retryAfter))
        #expect(
            try await DashboardAccessTests.signIn(server).status == 429,
            "the right token is not even looked at while refused")
        #expect(
            try await DashboardAccessTests.intake(server, token: DashboardAccessTests.intakeToken).status == 429,
            "failures with either secret count together")

        // Another client, on its own address, is served: straight, and through the proxy on loopback.
        #expect(
            try await DashboardAccessTests.send(
                from: "127.0.0.2", to: server, "POST", "/dashboard/sign-in",
                headers: ["Content-Type": "application/x-www-form-urlencoded"], body: "token=\(DashboardTests.token)"
            ).status == 303)
        #expect(
            try await DashboardAccessTests.signIn(server, headers: [("X-Forwarded-For", "198.51.100.7")]).status == 303)

        // The intake token: the same rule, per forwarded client.
        let forwarder = [(name: "X-Forwarded-For", value: "198.51.100.20")]
        for _ in 0..<10 {
            #expect(try await DashboardAccessTests.intake(server, token: "wrong", headers: forwarder).status == 401)
        }
        let intakeRefused = try await DashboardAccessTests.intake(server, token: "wrong", headers: forwarder)
        #expect(intakeRefused.status == 429 && intakeRefused.headers["retry-after"] != nil)
        #expect(
            try await DashboardAccessTests.intake(server, token: DashboardAccessTests.intakeToken, headers: forwarder)
                .status == 429)
        #expect(
            try await DashboardAccessTests.intake(
                server, token: DashboardAccessTests.intakeToken, headers: [("X-Forwarded-For", "198.51.100.21")]
            ).status == 200)

        // Retry-After is the time the refusal lasts: the rule under test, not a stand-in for a condition.
        try await Task.sleep(for: .seconds(retryAfter))
        #expect(try await DashboardAccessTests.signIn(server).status == 303, "the right token after the wait")
        #expect(server.child.exitStatus == nil)
    }

    @Test("X-Forwarded-For and -Proto are ignored unless the peer is a trusted proxy; the cookie is Secure over HTTPS")
    func trustedProxies() async throws {
        let directory = try TestDirectory()
        let https = [(name: "X-Forwarded-Proto", value: "https")]
        // Loopback is trusted by default: a proxy there says the request came over HTTPS.
        let proxied = try await TestServer(
            ["--config", try DashboardTests.config(in: directory, token: DashboardTests.token)],
            database: directory.databasePath)
        defer { proxied.child.signal(SIGKILL) }
        let secure = try #require(try await DashboardAccessTests.signIn(proxied, headers: https).headers["set-cookie"])
        #expect(secure.hasSuffix("; Secure") && secure.contains("HttpOnly") && secure.contains("SameSite=Strict"))
        let plain = try #require(try await DashboardAccessTests.signIn(proxied).headers["set-cookie"])
        #expect(!plain.contains("Secure"), "\(plain)")
        proxied.child.signal(SIGKILL)

        // No trusted proxy: a client cannot claim HTTPS, nor escape the limit by naming other addresses.
        let direct = try await TestServer(
            [
                "--config",
                try DashboardTests.config(in: directory, token: DashboardTests.token, top: #""trusted_proxies": [], "#),
            ], database: directory.databasePath)
        defer { direct.child.signal(SIGKILL) }
        let claimed = try #require(try await DashboardAccessTests.signIn(direct, headers: https).headers["set-cookie"])
        #expect(!claimed.contains("Secure"), "\(claimed)")
        // Were the named addresses believed, each would have its own ten tries and none would be refused.
        // Ten, then one per 6 s: a loaded machine's tries may span periods, so they go on until refused.
        var statuses: [Int] = []
        for attempt in 0..<40 where statuses.last != 429 {
            statuses.append(
                try await DashboardAccessTests.signIn(
                    direct, token: "wrong", headers: [("X-Forwarded-For", "203.0.113.\(attempt)")]
                ).status)
        }
        #expect(statuses.last == 429 && statuses.dropLast().allSatisfy { $0 == 401 }, "\(statuses)")
        direct.child.signal(SIGKILL)

        // secure_cookie: Secure whatever the request says.
        let always = try await TestServer(
            [
                "--config",
                try DashboardTests.config(in: directory, token: DashboardTests.token, extra: #""secure_cookie": true"#),
            ], database: directory.databasePath)
        defer { always.child.signal(SIGKILL) }
        #expect(try await DashboardAccessTests.signIn(always).headers["set-cookie"]?.hasSuffix("; Secure") == true)
    }
}
