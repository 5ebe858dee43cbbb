import ChatStore
import Foundation
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

    static func config(in directory: TestDirectory, token: String?) throws -> String {
        let path = directory.path("dashboard.json")
        try Data((token.map { #"{"dashboard": {"token": "\#($0)"}}"# } ?? "{}").utf8).write(
            to: URL(fileURLWithPath: path))
        return path
    }

    @Test("every value from a payload, a kind or an error is escaped; without a token nothing can be changed")
    func escapedAndReadOnly() async throws {
        let directory = try TestDirectory()
        let (db, dead, _) = try await Self.database(in: directory)
        let server = try await TestServer(["--config", try Self.config(in: directory, token: nil)], database: db)
        defer { server.child.signal(SIGKILL) }
        for path in [
            "/dashboard", "/dashboard/workers", "/dashboard/dead-letters", "/dashboard/jobs/\(dead)",
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
        "a real browser loads every page, signs in, and redrives a dead letter through its form",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "chromium is not installed"))
    func inChromium() async throws {
        let directory = try TestDirectory()
        let (db, dead, _) = try await Self.database(in: directory)
        let server = try await TestServer(
            ["--config", try Self.config(in: directory, token: Self.token)], database: db)
        defer { server.child.signal(SIGKILL) }
        let base = server.baseURL + "/dashboard"
        var steps: [[String: Any]] = []
        for (name, path) in [
            ("queues", ""), ("workers", "/workers"), ("dead-letters", "/dead-letters"), ("job", "/jobs/\(dead)"),
            ("links", "/links"),
        ] {
            steps += [["goto": base + path], ["screenshot": name], ["text": name]]
        }
        steps += [
            ["goto": base + "/sign-in"],
            [
                "eval":
                    "document.querySelector('input[name=token]').value = '\(Self.token)'; document.querySelector('form[action$=\"sign-in\"]').submit(); 1",
                "navigates": true,
            ],
            ["goto": base + "/jobs/\(dead)"],
            ["eval": "document.querySelector('form[action$=\"/redrive\"] button').click(); 1", "navigates": true],
            ["screenshot": "redriven"], ["text": "redriven"],
            // A phone's screen: every page fits its width, tables scrolling inside their own box.
            ["phone": [390, 844]],
        ]
        for path in ["", "/workers", "/dead-letters", "/jobs/\(dead)", "/links"] {
            steps += [
                ["goto": base + path],
                [
                    "eval":
                        "document.documentElement.scrollWidth <= window.innerWidth ? 'fits' : 'overflows ' + location.pathname"
                ],
            ]
        }
        steps.append(["screenshot": "phone"])
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
        let texts = Dictionary(
            lines.compactMap { line in (line["text"] as? String).map { ($0, line["value"] as? String ?? "") } },
            uniquingKeysWith: { first, _ in first })
        #expect(texts["dead-letters"]?.contains(Self.hostile) == true, "the hostile kind shows as text")
        #expect(texts["redriven"]?.contains("state\tready") == true, "\(texts["redriven"] ?? "")")
        let fits = lines.compactMap { $0["eval"] as? String }
        #expect(fits.filter { $0 == "fits" }.count == 5, "every page fits a phone's width: \(fits)")
        for name in ["queues", "workers", "dead-letters", "job", "links", "redriven", "phone"] {
            let size =
                (try? FileManager.default.attributesOfItem(atPath: directory.path("\(name).png"))[.size] as? Int) ?? 0
            #expect(size > 1_000, "\(name).png")
        }
        let store = try await SwitchboardDatabase.open(.sqlite(path: db))
        #expect(try await store.job(id: dead)?.state == .ready, "the browser's redrive reached the database")
    }
}
