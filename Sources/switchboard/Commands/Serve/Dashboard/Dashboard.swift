import ChatStore
import Enqueuer
import Foundation
import HTTPServer
import JSON
import Queue
import Synchronization

/// The operator's pages, served by `serve` under `/dashboard`: queues, workers, dead letters, one job,
/// links. Reading needs nothing; changing anything needs a signed-in session (`dashboard.token`), a
/// session cookie (`HttpOnly`, `SameSite=Strict`), the session's CSRF token in the form, and `POST`.
/// Without a token configured the dashboard is read-only.
package final class Dashboard: Sendable {
    private let store: JobStore
    private let chat: ChatStore
    private let token: String?
    private let throughput: ThroughputHistory
    /// Signed-in sessions: id → (CSRF token, expiry).
    private let sessions = Mutex([String: (csrf: String, expires: ContinuousClock.Instant)]())

    static let sessionLifetime = Duration.seconds(12 * 3_600)
    static let cookie = "sb_session"

    init(store: JobStore, chat: ChatStore, token: String?, throughput: ThroughputHistory) {
        self.store = store
        self.chat = chat
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.throughput = throughput
    }

    /// Answers a request under `/dashboard`; nil for any other path.
    func answer(_ request: ServerRequest) async -> ServerResponse? {
        guard request.path == "/dashboard" || request.path.hasPrefix("/dashboard/") else { return nil }
        let session = self.session(request)
        do {
            switch (request.method, request.path) {
            case ("GET", "/dashboard"): return page("Queues", try await queues(session), session)
            case ("GET", "/dashboard/workers"): return page("Workers", try await workers(), session)
            case ("GET", "/dashboard/dead-letters"):
                return page("Dead letters", try await deadLetters(request.query, session), session)
            case ("GET", "/dashboard/links"): return page("Links", try await links(), session)
            case ("GET", "/dashboard/sign-in"): return page("Sign in", signInForm(failed: false), session)
            case ("POST", "/dashboard/sign-in"): return signIn(request)
            case ("POST", let path) where path.hasPrefix("/dashboard/actions/"):
                return try await act(String(path.dropFirst("/dashboard/actions/".count)), request, session)
            case ("GET", let path) where path.hasPrefix("/dashboard/jobs/"):
                guard let id = Int64(path.dropFirst("/dashboard/jobs/".count)), let record = try await store.job(id: id)
                else { return page("No such job", HTML.element("p", "There is no such job."), session, status: 404) }
                return page("Job \(id)", jobPage(record, session), session)
            default:
                return page("Not found", HTML.element("p", "There is no such page."), session, status: 404)
            }
        } catch {
            return page(
                "Unavailable", HTML.element("p", "The database cannot be read now.", class: "bad"), session, status: 503
            )
        }
    }

    // MARK: Pages

    private func queues(_ session: Session?) async throws -> HTML {
        let stats = try await store.stats()
        let paused = try await store.pausedQueues()
        let names = Set(stats.queues.map(\.queue)).union(paused.keys).sorted()
        let rows = names.map { name -> [HTML] in
            let counts = stats.queues.first { $0.queue == name }
            var row = [HTML.text(name)] + JobState.allCases.map { HTML.text(String(counts?.counts[$0] ?? 0)) }
            row.append(HTML.text(counts?.oldestReadyAge.map { String(format: "%.1f s", $0.seconds) } ?? "–"))
            row.append(HTML.text(paused[name] == nil ? "running" : "paused"))
            if let session {
                row.append(
                    paused[name] == nil
                        ? form("pause", ["queue": name], "Pause", session)
                        : form("resume", ["queue": name], "Resume", session))
            }
            return row
        }
        let header =
            ["queue"] + JobState.allCases.map(\.rawValue) + ["oldest ready", "claims"] + (session == nil ? [] : [""])
        return HTML.table(header, rows) + HTML(trusted: "<h2>Completed per minute, last hour</h2>") + throughput.chart()
    }

    private func workers() async throws -> HTML {
        let now = store.clock.now()
        let rows = try await store.workers().map { worker -> [HTML] in
            let registration = worker.registration
            let totals = registration.tally.totals
            return [
                registration.id, worker.state(at: now).rawValue, registration.version,
                registration.queues.joined(separator: ","), "\(registration.inFlight)/\(registration.concurrency)",
                "\(totals.completed)", "\(totals.retried)", "\(totals.deadLettered)", worker.seenAt.description,
            ].map(HTML.text)
        }
        return HTML.table(
            ["worker", "state", "version", "queues", "running", "completed", "retried", "dead", "seen"], rows)
    }

    private func deadLetters(_ query: [String: String], _ session: Session?) async throws -> HTML {
        let queue = query["queue"].flatMap { $0.isEmpty ? nil : $0 }
        let kind = query["kind"].flatMap { $0.isEmpty ? nil : $0 }
        let letters = try await store.deadLetters(queue: queue, kind: kind, limit: 200)
        let filter = HTML(
            trusted: """
                <form method="get" action="/dashboard/dead-letters"><label>queue <input name="queue" value="\(HTML.text(queue ?? "").markup)"></label>\
                <label>kind <input name="kind" value="\(HTML.text(kind ?? "").markup)"></label><button>Filter</button></form>
                """)
        let rows = letters.map { job -> [HTML] in
            var row = [
                HTML.link("/dashboard/jobs/\(job.id)", String(job.id)), .text(job.queue), .text(job.kind),
                .text(job.deadReason?.rawValue ?? ""), .text(job.finishedAt?.description ?? ""),
                .text(job.lastError.map { String($0.prefix(200)) } ?? ""),
            ]
            if let session {
                row.append(
                    form("redrive", ["id": String(job.id)], "Redrive", session)
                        + form("purge", ["id": String(job.id)], "Purge", session))
            }
            return row
        }
        return filter
            + HTML.table(
                ["id", "queue", "kind", "reason", "died at", "last error"] + (session == nil ? [] : [""]), rows)
    }

    private func jobPage(_ job: JobRecord, _ session: Session?) -> HTML {
        let facts: [(String, String)] = [
            ("queue", job.queue), ("kind", job.kind),
            ("state", JobPrinter.state(job)),
            ("attempts", "\(job.attempts) of \(job.maxAttempts)"), ("run at", job.runAt.description),
            ("group", job.groupKey ?? "–"), ("worker", job.workerID ?? "–"), ("last error", job.lastError ?? "–"),
        ]
        var actions: [HTML] = []
        if let session {
            let id = ["id": String(job.id)]
            if JobState.live.contains(job.state) { actions.append(form("cancel", id, "Cancel", session)) }
            if job.state == .scheduled { actions.append(form("retry", id, "Run now", session)) }
            if job.state == .dead {
                actions += [form("redrive", id, "Redrive", session), form("purge", id, "Purge", session)]
            }
        }
        let history = job.errorHistory.map { failure in
            [
                HTML.text(String(failure.attempt)), .text(Timestamp(millisecondsSince1970: failure.at).description),
                .text(failure.error),
            ]
        }
        return HTML.table(["", ""], facts.map { [HTML.text($0.0), HTML.text($0.1)] }) + HTML.join(actions)
            + HTML(trusted: "<h2>Payload</h2>") + HTML.element("pre", JobPrinter.text(job.payload))
            + (job.checkpoint.map { HTML(trusted: "<h2>Checkpoint</h2>") + HTML.element("pre", JobPrinter.text($0)) }
                ?? HTML.join([]))
            + HTML(trusted: "<h2>Error history</h2>") + HTML.table(["attempt", "at", "error"], history)
    }

    private func links() async throws -> HTML {
        let counts = try await chat.linkCounts()
        let rows: [(String, Int)] = [
            ("server links", counts.serverLinks), ("user links", counts.userLinks),
            ("chats connected by code", counts.channelConnections), ("link tokens pending", counts.pendingLinkTokens),
        ]
        return HTML.table(["links", "count"], rows.map { [HTML.text($0.0), HTML.text(String($0.1))] })
    }

    // MARK: Signing in and acting

    private struct Session {
        let csrf: String
    }

    private func session(_ request: ServerRequest) -> Session? {
        guard token != nil, let cookie = request.headers["cookie"] else { return nil }
        let id = cookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix(Self.cookie + "=") }.map { String($0.dropFirst(Self.cookie.count + 1)) }
        guard let id else { return nil }
        return sessions.withLock { sessions in
            guard let found = sessions[id], found.expires > .now else {
                sessions[id] = nil
                return nil
            }
            return Session(csrf: found.csrf)
        }
    }

    private func signInForm(failed: Bool) -> HTML {
        guard token != nil else {
            return HTML.element("p", "No dashboard.token is configured: the dashboard is read-only.")
        }
        return (failed ? HTML.element("p", "That token is not the dashboard's.", class: "bad") : HTML(trusted: ""))
            + HTML(
                trusted: """
                    <form method="post" action="/dashboard/sign-in"><label>token <input type="password" name="token" autocomplete="current-password"></label><button>Sign in</button></form>
                    """)
    }

    private func signIn(_ request: ServerRequest) -> ServerResponse {
        guard let token else { return page("Sign in", signInForm(failed: false), nil, status: 404) }
        let given = Self.form(request.body)["token"] ?? ""
        guard WebhookCrypto.equal(Data(given.utf8), Data(token.utf8)) else {
            return page("Sign in", signInForm(failed: true), nil, status: 401)
        }
        let id = Self.randomHex()
        sessions.withLock { $0[id] = (Self.randomHex(), .now + Self.sessionLifetime) }
        return ServerResponse(
            status: 303,
            headers: [
                "Location": "/dashboard",
                "Set-Cookie": "\(Self.cookie)=\(id); Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=43200",
            ])
    }

    /// Carries out one action posted from a form, after checking the session and its CSRF token.
    private func act(_ action: String, _ request: ServerRequest, _ session: Session?) async throws -> ServerResponse {
        let fields = Self.form(request.body)
        guard let session, let csrf = fields["csrf"], WebhookCrypto.equal(Data(csrf.utf8), Data(session.csrf.utf8))
        else {
            return page(
                "Not allowed", HTML.element("p", "Sign in first; changes need a signed-in session."), nil, status: 403)
        }
        do {
            return try await carryOut(
                action, id: fields["id"].flatMap(Int64.init), queue: fields["queue"] ?? "", session)
        } catch let error as QueueError where error.code == .invalidArgument {
            return page("Not done", HTML.element("p", error.message, class: "bad"), session, status: 409)
        }
    }

    private func carryOut(_ action: String, id: Int64?, queue: String, _ session: Session) async throws
        -> ServerResponse
    {
        switch (action, id) {
        case ("redrive", let id?):
            try await store.redriveDeadLetters(DeadLetterSelection.ids([id]))
            return Self.redirect("/dashboard/jobs/\(id)")
        case ("purge", let id?):
            try await store.purgeDeadLetters(DeadLetterSelection.ids([id]))
            return Self.redirect("/dashboard/dead-letters")
        case ("retry", let id?):
            _ = try await store.runNow(jobID: id)
            return Self.redirect("/dashboard/jobs/\(id)")
        case ("cancel", let id?):
            _ = try await store.cancel(jobID: id)
            return Self.redirect("/dashboard/jobs/\(id)")
        case ("pause", _) where !queue.isEmpty:
            try await store.pause(queue: queue)
            return Self.redirect("/dashboard")
        case ("resume", _) where !queue.isEmpty:
            try await store.resume(queue: queue)
            return Self.redirect("/dashboard")
        default:
            return page("Unknown action", HTML.element("p", "There is no such action."), session, status: 400)
        }
    }

    /// A one-button form posting `action` with `fields` and the session's CSRF token.
    private func form(_ action: String, _ fields: [String: String], _ label: String, _ session: Session) -> HTML {
        let inputs = (fields.sorted { $0.key < $1.key } + [("csrf", session.csrf)]).map {
            "<input type=\"hidden\" name=\"\(HTML.text($0.0).markup)\" value=\"\(HTML.text($0.1).markup)\">"
        }.joined()
        return HTML(
            trusted:
                "<form method=\"post\" action=\"/dashboard/actions/\(action)\">\(inputs)<button>\(HTML.text(label).markup)</button></form>"
        )
    }

    private func page(_ title: String, _ body: HTML, _ session: Session?, status: Int = 200) -> ServerResponse {
        var response = ServerResponse.text(
            status, HTML.page(title: title, body: body, signedIn: session != nil, canSignIn: token != nil),
            contentType: "text/html; charset=utf-8")
        response.headers["Content-Security-Policy"] =
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        return response
    }

    private static func redirect(_ location: String) -> ServerResponse {
        ServerResponse(status: 303, headers: ["Location": location])
    }

    /// An `application/x-www-form-urlencoded` body's fields, read by Foundation's URL parser.
    package static func form(_ body: Data) -> [String: String] {
        var components = URLComponents()
        components.percentEncodedQuery = String(decoding: body, as: UTF8.self).replacing("+", with: "%20")
        return Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
    }

    /// 32 bytes from the system CSPRNG, in hex: a session id or a CSRF token.
    private static func randomHex() -> String {
        WebhookCrypto.hex(Data(SecretToken.randomBytes(32)))
    }
}

/// Jobs completed per minute over the last hour, sampled by `serve` from the workers' rows.
package final class ThroughputHistory: Sendable {
    private let samples = Mutex([(at: Timestamp, completed: Int)]())

    package init() {}

    func record(at: Timestamp, completed: Int) {
        samples.withLock { samples in
            samples.append((at, completed))
            if samples.count > 61 { samples.removeFirst(samples.count - 61) }
        }
    }

    /// A bar per minute, as inline SVG.
    func chart() -> HTML {
        let samples = self.samples.withLock { $0 }
        let perMinute = zip(samples.dropFirst(), samples).map { max(0, $0.completed - $1.completed) }
        guard !perMinute.isEmpty else {
            return HTML.element(
                "p", "Collecting: the chart fills in a minute at a time while serve runs.", class: "muted")
        }
        let top = max(1, perMinute.max() ?? 1)
        let bars = perMinute.enumerated().map { index, count in
            let height = Double(count) / Double(top) * 100
            return
                "<rect x=\"\(index * 10)\" y=\"\(String(format: "%.1f", 100 - height))\" width=\"8\" height=\"\(String(format: "%.1f", height))\" fill=\"#3c6fd1\"><title>\(count)</title></rect>"
        }.joined()
        return HTML(
            trusted:
                "<svg viewBox=\"0 0 600 100\" role=\"img\" aria-label=\"completed per minute, up to \(top)\">\(bars)</svg>"
        )
    }
}
