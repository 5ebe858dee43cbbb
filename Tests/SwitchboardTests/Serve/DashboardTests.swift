import ChatStore
import Foundation
import HTTPClient
import Harness
import Queue
import Testing
import Workers

/// The dashboard `serve` renders: escaping, read-only without a token, sign-in, CSRF, and a real browser.
@Suite("The dashboard", .serialized, .timeLimit(.minutes(3)))
struct DashboardTests {
    static let token = "dash-SECRET-token-at-least-32-characters"
    static let hostile = #"<script>alert("x")</script>'"&"#

    /// A database with a dead letter whose kind, payload and error are all hostile, and a live job.
    static func database(in directory: TestDirectory) async throws -> (path: String, dead: Int64, live: Int64) {
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let dead = try await store.enqueue(
            NewJob(
                queue: "q", kind: hostile, payload: Data(#"{"text":"<script>alert('p')</script>"}"#.utf8),
                maxAttempts: 1)
        ).jobID
        let claimed = try #require(
            try await store.claim(queues: ["q"], limit: 1, leaseDuration: .seconds(30), workerID: "w").first)
        try await store.fail(claimed.lease, error: #"<img src=x onerror="alert('e')">"#, retryable: false)
        let live = try await store.enqueue(NewJob(queue: "other", kind: "k", runAt: .after(.seconds(3_600)))).jobID
        return (directory.databasePath, dead, live)
    }

    /// A configuration with the dashboard's token (none when nil) and `extra` dashboard settings.
    static func config(in directory: TestDirectory, token: String?, extra: String = "", top: String = "") throws
        -> String
    {
        let settings = ([token.map { #""token": "\#($0)""# }] + [extra.isEmpty ? nil : extra]).compactMap { $0 }
        let path = directory.path("dashboard.json")
        try Data(#"{\#(top)"dashboard": {\#(settings.joined(separator: ", "))}}"#.utf8).write(
            to: URL(fileURLWithPath: path))
        return path
    }

    static let form = [(name: "Content-Type", value: "application/x-www-form-urlencoded")]

    /// Sends a request and returns the whole response, headers too.
    static func fetch(
        _ server: TestServer, _ method: HTTPRequest.Method, _ path: String,
        headers: [(name: String, value: String)] = [], body: String? = nil
    ) async throws -> HTTPResponse {
        try await server.client.send(
            HTTPRequest(method, server.baseURL + path, headers: headers, body: body.map { Data($0.utf8) }))
    }

    /// Signs in with the token: the session's `Cookie` header and its CSRF token.
    static func signIn(_ server: TestServer, headers: [(name: String, value: String)] = []) async throws -> (
        cookie: (name: String, value: String), csrf: String
    ) {
        let signIn = try await fetch(
            server, .post, "/dashboard/sign-in", headers: form + headers, body: "token=\(token)")
        #expect(signIn.status == 303)
        let cookie = (name: "Cookie", value: String(try #require(signIn.headers["set-cookie"]).prefix { $0 != ";" }))
        let page = try await fetch(server, .get, "/dashboard", headers: [cookie])
        let body = String(decoding: page.body, as: UTF8.self)
        let csrf = try #require(body.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map { String($0.1) })
        return (cookie, csrf)
    }

    @Test("every value from a payload, a kind or an error is escaped; without a token nothing can be changed")
    func escapedAndReadOnly() async throws {
        let directory = try TestDirectory()
        let (db, dead, _) = try await Self.database(in: directory)
        let server = try await TestServer(["--config", try Self.config(in: directory, token: nil)], database: db)
        defer { server.child.signal(SIGKILL) }
        for path in [
            "/dashboard", "/dashboard/jobs", "/dashboard/workers", "/dashboard/dead-letters", "/dashboard/jobs/\(dead)",
            "/dashboard/links",
        ] {
            let page = try await server.send(.get, path)
            #expect(page.status == 200, "\(path)")
            #expect(!page.body.contains("<script>") && !page.body.contains("<img"), "\(path) carries markup from data")
            #expect(!page.body.contains(#"method="post""#), "\(path): read-only without a token")
        }
        let letters = try await server.send(
            .get,
            "/dashboard/dead-letters?kind=" + Self.hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        )
        #expect(
            letters.body.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&quot;&amp;"),
            "the kind, escaped, in the filter and the row")
        let job = try await server.send(.get, "/dashboard/jobs/\(dead)")
        #expect(job.body.contains("&lt;img src=x onerror=&quot;alert(&#39;e&#39;)&quot;&gt;"))
        #expect(job.body.contains("&lt;script&gt;alert(&#39;p&#39;)&lt;/script&gt;"))
        let refused = try await server.send(
            .post, "/dashboard/actions/redrive", headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Data("id=\(dead)&csrf=x".utf8))
        #expect(refused.status == 403)
        let store = try await SwitchboardDatabase.open(.sqlite(path: db))
        #expect(try await store.job(id: dead)?.state == .dead, "nothing changed")
    }

    @Test("sign-in sets an HttpOnly, SameSite=Strict cookie; an action needs the session and its CSRF token")
    func signInAndCSRF() async throws {
        let directory = try TestDirectory()
        let (db, dead, live) = try await Self.database(in: directory)
        let server = try await TestServer(
            ["--config", try Self.config(in: directory, token: Self.token)], database: db)
        defer { server.child.signal(SIGKILL) }
        let form = [("Content-Type", "application/x-www-form-urlencoded")]
        #expect(
            try await server.send(.post, "/dashboard/sign-in", headers: form, body: Data("token=wrong".utf8)).status
                == 401)
        let signIn = try await server.client.send(
            HTTPRequest(
                .post, server.baseURL + "/dashboard/sign-in", headers: form, body: Data("token=\(Self.token)".utf8)))
        #expect(signIn.status == 303)
        let cookie = try #require(signIn.headers["set-cookie"])
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "\(cookie)")
        let session = [("Cookie", String(cookie.prefix { $0 != ";" }))]
        let page = try await server.send(.get, "/dashboard/jobs/\(dead)", headers: session)
        let csrf = try #require(page.body.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map { String($0.1) })

        let forged = try await server.send(
            .post, "/dashboard/actions/redrive", headers: form + session, body: Data("id=\(dead)&csrf=\(csrf)0".utf8))
        #expect(forged.status == 403, "a wrong CSRF token is refused")
        let stolen = try await server.send(
            .post, "/dashboard/actions/redrive", headers: form, body: Data("id=\(dead)&csrf=\(csrf)".utf8))
        #expect(stolen.status == 403, "a CSRF token without its session is refused")
        let store = try await SwitchboardDatabase.open(.sqlite(path: db))
        #expect(try await store.job(id: dead)?.state == .dead)

        for (action, body) in [("redrive", "id=\(dead)"), ("retry", "id=\(live)"), ("pause", "queue=other")] {
            let done = try await server.send(
                .post, "/dashboard/actions/\(action)", headers: form + session, body: Data("\(body)&csrf=\(csrf)".utf8))
            #expect(done.status == 303, "\(action): \(done.body)")
        }
        #expect(try await store.job(id: dead)?.state == .ready)
        #expect(try await store.job(id: live)?.state == .ready)
        #expect(try await store.pausedQueues().keys.contains("other"))
        let cancel = try await server.send(
            .post, "/dashboard/actions/cancel", headers: form + session, body: Data("id=\(live)&csrf=\(csrf)".utf8))
        #expect(cancel.status == 303)
        #expect(try await store.job(id: live)?.deadReason == .cancelled)
    }

    @Test(
        "no form body crashes serve: each is a 4xx, before and after signing in, with a token or without",
        arguments: [true, false])
    func hostileForms(withToken: Bool) async throws {
        let directory = try TestDirectory()
        let (db, dead, _) = try await Self.database(in: directory)
        let server = try await TestServer(
            ["--config", try Self.config(in: directory, token: withToken ? Self.token : nil)], database: db)
        defer { server.child.signal(SIGKILL) }
        let bodies = [
            "\"", "token={x}", #"{"token":"x"}"#, "id=8 ", "id=%", "id=%zz", "id=%FF", "=1", "id=1&id=2",
            "queue=a%20b&queue=c", "csrf=%C3&id=\(dead)", String(repeating: "%%", count: 1_000), "queue=%00%",
        ]
        var session: [(name: String, value: String)] = []
        var csrf = "none"
        if withToken {
            let signedIn = try await Self.signIn(server)
            session = [signedIn.cookie]
            csrf = signedIn.csrf
        }
        // Signing out with the right CSRF token would succeed: that route gets the bodies without one.
        for path in [
            "/dashboard/actions/pause", "/dashboard/actions/redrive", "/dashboard/sign-in", "/dashboard/sign-out",
        ] {
            let withCSRF = path.hasSuffix("sign-out") ? [] : bodies.map { "csrf=\(csrf)&" + $0 }
            for body in bodies + withCSRF {
                for headers in [Self.form, [("Content-Type", "application/json")], []] {
                    let answer = try await Self.fetch(server, .post, path, headers: headers + session, body: body)
                    #expect(
                        (400..<500).contains(answer.status), "\(path) \(headers) \(body.prefix(40)): \(answer.status)")
                }
            }
        }
        #expect(server.child.exitStatus == nil, "serve is still running")
        #expect(try await server.send(.get, "/healthz").status == 200)
        let signedInForm = try await Self.fetch(
            server, .post, "/dashboard/actions/redrive", headers: Self.form + session, body: "csrf=\(csrf)&id=8 ")
        #expect(signedInForm.status == (withToken ? 400 : 403), "an id that is not a number is a bad request")
        let store = try await SwitchboardDatabase.open(.sqlite(path: db))
        #expect(try await store.job(id: dead)?.state == .dead, "nothing changed")
        #expect(try await store.pausedQueues().isEmpty)
    }

    @Test("every dashboard answer forbids framing; signing out ends the session on the server and clears the cookie")
    func framingAndSignOut() async throws {
        let directory = try TestDirectory()
        let (db, dead, _) = try await Self.database(in: directory)
        let server = try await TestServer(
            ["--config", try Self.config(in: directory, token: Self.token)], database: db)
        defer { server.child.signal(SIGKILL) }
        let (cookie, csrf) = try await Self.signIn(server)
        let answers = [
            try await Self.fetch(server, .get, "/dashboard/sign-in"),
            try await Self.fetch(server, .get, "/dashboard"),
            try await Self.fetch(server, .get, "/dashboard", headers: [cookie]),
            try await Self.fetch(server, .get, "/dashboard/jobs/\(dead)", headers: [cookie]),
            try await Self.fetch(server, .get, "/dashboard/nowhere", headers: [cookie]),
            try await Self.fetch(server, .post, "/dashboard/sign-in", headers: Self.form, body: "token=wrong"),
            try await Self.fetch(server, .post, "/dashboard/actions/pause", headers: Self.form, body: "\""),
        ]
        for answer in answers {
            #expect(answer.headers["x-frame-options"] == "DENY", "\(answer.status)")
            let policy = answer.headers["content-security-policy"] ?? ""
            #expect(policy.contains("frame-ancestors 'none'") && policy.contains("default-src 'none'"), "\(policy)")
        }
        let page = String(decoding: answers[2].body, as: UTF8.self)
        #expect(page.contains(#"action="/dashboard/sign-out""#), "a signed-in page has a sign-out button")

        let forged = try await Self.fetch(
            server, .post, "/dashboard/sign-out", headers: Self.form + [cookie], body: "csrf=\(csrf)0")
        #expect(forged.status == 403, "signing out needs the CSRF token")
        #expect(try await Self.fetch(server, .get, "/dashboard", headers: [cookie]).status == 200)
        let signOut = try await Self.fetch(
            server, .post, "/dashboard/sign-out", headers: Self.form + [cookie], body: "csrf=\(csrf)")
        #expect(signOut.status == 303)
        #expect(signOut.headers["location"] == "/dashboard/sign-in")
        let cleared = signOut.headers["set-cookie"] ?? ""
        #expect(cleared.hasPrefix("sb_session=;") && cleared.contains("Max-Age=0"), "\(cleared)")
        // A copy of the old cookie opens nothing.
        let after = try await Self.fetch(server, .get, "/dashboard", headers: [cookie])
        #expect(after.status == 303 && after.headers["location"] == "/dashboard/sign-in")
        let action = try await Self.fetch(
            server, .post, "/dashboard/actions/redrive", headers: Self.form + [cookie], body: "id=\(dead)&csrf=\(csrf)")
        #expect(action.status == 403)
    }

    @Test(
        "with a token configured every page needs a session, unless public_read opens reading; health, metrics and intake do not",
        arguments: [false, true])
    func readingNeedsASession(publicRead: Bool) async throws {
        let directory = try TestDirectory()
        let (db, dead, live) = try await Self.database(in: directory)
        let server = try await TestServer(
            [
                "--config",
                try Self.config(
                    in: directory, token: Self.token, extra: publicRead ? #""public_read": true"# : "",
                    top: DashboardAccessTests.intake),
            ], database: db)
        defer { server.child.signal(SIGKILL) }
        for path in [
            "/dashboard", "/dashboard/jobs", "/dashboard/workers", "/dashboard/dead-letters", "/dashboard/jobs/\(dead)",
            "/dashboard/jobs/\(live)", "/dashboard/links", "/dashboard/jobs/999999", "/dashboard/jobs?queue=q",
        ] {
            let answer = try await Self.fetch(server, .get, path)
            let body = String(decoding: answer.body, as: UTF8.self)
            if publicRead {
                #expect([200, 404].contains(answer.status), "\(path)")
                #expect(!body.contains(#"method="post""#), "\(path): reading only")
            } else {
                #expect(answer.status == 303, "\(path)")
                #expect(answer.headers["location"] == "/dashboard/sign-in", "\(path)")
                #expect(!body.contains("alert"), "\(path): no job's text")
            }
        }
        #expect(try await Self.fetch(server, .get, "/dashboard/sign-in").status == 200)
        for path in ["/healthz", "/readyz", "/metrics"] {
            #expect(try await server.send(.get, path).status == 200, "\(path)")
        }
        let intake = try await server.post(
            "/intake/telegram", ServeTests.telegramUpdate(1),
            headers: [("Authorization", "Bearer \(DashboardAccessTests.intakeToken)")])
        #expect(intake.status == 200, "\(intake.body)")
        let (cookie, _) = try await Self.signIn(server)
        let signedIn = try await Self.fetch(server, .get, "/dashboard/jobs/\(dead)", headers: [cookie])
        #expect(signedIn.status == 200)
        #expect(String(decoding: signedIn.body, as: UTF8.self).contains("&lt;script&gt;alert(&#39;p&#39;)"))
    }

    @Test("dead letters past the first page and every job are reached a page at a time, filtered")
    func paging() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        // One and a half pages of 100.
        let count = 150
        let ids = try await store.enqueue(
            (0..<count).map { NewJob(queue: $0 % 2 == 0 ? "even" : "odd", kind: $0 % 3 == 0 ? "three" : "k") }
        ).map(\.jobID)
        for id in ids.reversed() {
            _ = try await store.cancel(jobID: id)
        }
        let others = try await store.enqueue((0..<5).map { _ in NewJob(queue: "even", kind: "three") }).map(\.jobID)
        let server = try await TestServer(
            ["--config", try Self.config(in: directory, token: nil)], database: directory.databasePath)
        defer { server.child.signal(SIGKILL) }

        /// Every job id a listing shows, following its "Next page" links.
        func walk(_ path: String) async throws -> (ids: [Int64], pages: Int) {
            var next: String? = path
            var shown: [Int64] = []
            var pages = 0
            while let page = next {
                let answer = try await server.send(.get, page)
                #expect(answer.status == 200, "\(page): \(answer.body)")
                pages += 1
                shown += answer.body.matches(of: /<td><a href="\/dashboard\/jobs\/(\d+)">/).map { Int64($0.1)! }
                next = answer.body.firstMatch(of: /<a href="([^"]+)">Next page<\/a>/).map {
                    String($0.1).replacing("&amp;", with: "&")
                }
                #expect(pages < 10, "the pages end")
            }
            return (shown, pages)
        }
        let letters = try await walk("/dashboard/dead-letters")
        #expect(letters.pages == 2)
        #expect(
            letters.ids == (try await store.deadLetters(limit: 1_000)).map(\.id), "each once, in the order they died")
        let evenThrees = try await walk("/dashboard/dead-letters?queue=even&kind=three")
        #expect(evenThrees.ids == (try await store.deadLetters(queue: "even", kind: "three", limit: 1_000)).map(\.id))
        #expect(!evenThrees.ids.isEmpty)

        let jobs = try await walk("/dashboard/jobs")
        #expect(jobs.pages == 2)
        #expect(jobs.ids == ids + others)
        #expect(try await walk("/dashboard/jobs?state=ready&queue=even").ids == others)
        #expect(
            try await walk("/dashboard/jobs?state=dead&queue=odd&kind=three").ids
                == ids.enumerated().filter {
                    $0.offset % 2 == 1 && $0.offset % 3 == 0
                }.map(\.element))
        let filtered = try await server.send(.get, "/dashboard/jobs?state=ready")
        #expect(filtered.body.contains(#"<option value="ready" selected>"#), "the form shows the filter")
        for bad in [
            "/dashboard/jobs?state=sleeping", "/dashboard/jobs?after=x", "/dashboard/jobs?after=-1",
            "/dashboard/dead-letters?after=12", "/dashboard/dead-letters?after=a:b",
            "/dashboard/dead-letters?after=1:2:3",
        ] {
            let answer = try await server.send(.get, bad)
            #expect(answer.status == 400, "\(bad)")
        }
    }

    @Test("an action on a job that does not exist is 404, on a job in the wrong state 409, on no job id 400")
    func missingJobs() async throws {
        let directory = try TestDirectory()
        let (db, dead, live) = try await Self.database(in: directory)
        let server = try await TestServer(
            ["--config", try Self.config(in: directory, token: Self.token)], database: db)
        defer { server.child.signal(SIGKILL) }
        let (cookie, csrf) = try await Self.signIn(server)
        func act(_ action: String, _ fields: String) async throws -> Int {
            try await Self.fetch(
                server, .post, "/dashboard/actions/\(action)", headers: Self.form + [cookie],
                body: "\(fields)&csrf=\(csrf)"
            ).status
        }
        for action in ["redrive", "purge", "retry", "cancel"] {
            #expect(try await act(action, "id=999999") == 404, "\(action)")
            #expect(try await act(action, "id=") == 400, "\(action)")
            #expect(try await act(action, "id=-1") == 400, "\(action)")
        }
        #expect(try await act("redrive", "id=\(live)") == 409, "not a dead letter")
        #expect(try await act("purge", "id=\(live)") == 409)
        #expect(try await act("pause", "queue=") == 400)
        #expect(try await act("explode", "id=\(dead)") == 404)
        let store = try await SwitchboardDatabase.open(.sqlite(path: db))
        #expect(try await store.job(id: dead)?.state == .dead)
        #expect(try await store.job(id: live)?.state == .scheduled)
    }

    @Test(
        "a real browser signs in, loads every page, filters jobs, reaches the second page of dead letters, redrives through a form and signs out",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "chromium is not installed"))
    func inChromium() async throws {
        let directory = try TestDirectory()
        let (db, dead, _) = try await Self.database(in: directory)
        // More than a page of dead letters, dying after the hostile one.
        let store = try await SwitchboardDatabase.open(.sqlite(path: db))
        let later = try await store.enqueue((0..<120).map { _ in NewJob(queue: "bulk", kind: "later") }).map(\.jobID)
        for id in later {
            _ = try await store.cancel(jobID: id)
        }
        let server = try await TestServer(
            ["--config", try Self.config(in: directory, token: Self.token)], database: db)
        defer { server.child.signal(SIGKILL) }
        let base = server.baseURL + "/dashboard"
        var steps: [[String: Any]] = [
            ["goto": base + "/jobs/\(dead)"],
            ["goto": base + "/sign-in"],
            [
                "eval":
                    "document.querySelector('input[name=token]').value = '\(Self.token)'; document.querySelector('form[action$=\"sign-in\"]').submit(); 1",
                "navigates": true,
            ],
        ]
        for (name, path) in [
            ("queues", ""), ("jobs", "/jobs"), ("workers", "/workers"), ("dead-letters", "/dead-letters"),
            ("job", "/jobs/\(dead)"), ("links", "/links"),
        ] {
            steps += [["goto": base + path], ["screenshot": name], ["text": name]]
        }
        steps += [
            ["goto": base + "/jobs"],
            [
                "eval":
                    "document.querySelector('select[name=state]').value = 'dead'; document.querySelector('input[name=queue]').value = 'q'; document.querySelector('form[action=\"/dashboard/jobs\"]').submit(); 1",
                "navigates": true,
            ],
            ["text": "jobs-filtered"],
            ["goto": base + "/dead-letters"],
            [
                "eval": "[...document.querySelectorAll('a')].find(a => a.textContent == 'Next page').click(); 1",
                "navigates": true,
            ],
            ["screenshot": "dead-letters-2"], ["text": "dead-letters-2"],
            ["goto": base + "/jobs/\(dead)"],
            ["eval": "document.querySelector('form[action$=\"/redrive\"] button').click(); 1", "navigates": true],
            ["screenshot": "redriven"], ["text": "redriven"],
            // A phone's screen: every page fits its width, tables scrolling inside their own box.
            ["phone": [390, 844]],
        ]
        let phonePages = ["", "/jobs", "/workers", "/dead-letters", "/jobs/\(dead)", "/links"]
        for path in phonePages {
            steps += [
                ["goto": base + path],
                [
                    "eval":
                        "document.documentElement.scrollWidth <= window.innerWidth ? 'fits' : 'overflows ' + location.pathname"
                ],
            ]
        }
        steps += [
            ["goto": base + "/jobs"], ["screenshot": "phone"],
            ["eval": "document.querySelector('form[action$=\"/sign-out\"] button').click(); 1", "navigates": true],
            ["goto": base + "/jobs/\(dead)"],
        ]
        let script = directory.path("steps.json")
        try JSONSerialization.data(withJSONObject: steps).write(to: URL(fileURLWithPath: script))
        let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Browser/drive.py")
        let browser = try SwitchboardChild(
            executable: "/usr/bin/python3", arguments: [driver.path, "/usr/bin/chromium", script, directory.url.path],
            errorOutput: .capture)
        let result = await browser.finish()
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let ends = lines.compactMap { $0["at"] as? String }
        #expect(ends.first == "/dashboard/sign-in", "a page needs signing in first: \(ends)")
        #expect(ends.dropFirst(2).first == "/dashboard", "signed in: \(ends)")
        #expect(
            ends.suffix(2) == ["/dashboard/sign-in", "/dashboard/sign-in"], "signed out, pages need it again: \(ends)")
        let texts = Dictionary(
            lines.compactMap { line in (line["text"] as? String).map { ($0, line["value"] as? String ?? "") } },
            uniquingKeysWith: { first, _ in first })
        #expect(texts["dead-letters"]?.contains(Self.hostile) == true, "the hostile kind shows as text")
        #expect(texts["jobs-filtered"]?.contains(Self.hostile) == true)
        #expect(texts["jobs-filtered"]?.contains("later") == false, "the filter keeps queue q's dead jobs only")
        let secondPage = texts["dead-letters-2"] ?? ""
        #expect(secondPage.contains("\(later.last!)\tbulk") && !secondPage.contains(Self.hostile), "\(secondPage)")
        #expect(texts["redriven"]?.contains("state\tready") == true, "\(texts["redriven"] ?? "")")
        let fits = lines.compactMap { $0["eval"] as? String }
        #expect(
            fits.filter { $0 == "fits" }.count == phonePages.count, "every page fits a phone's width: \(fits)")
        for name in [
            "queues", "jobs", "workers", "dead-letters", "dead-letters-2", "job", "links", "redriven", "phone",
        ] {
            let size =
                (try? FileManager.default.attributesOfItem(atPath: directory.path("\(name).png"))[.size] as? Int) ?? 0
            #expect(size > 1_000, "\(name).png")
        }
        #expect(try await store.job(id: dead)?.state == .ready, "the browser's redrive reached the database")
    }
}
