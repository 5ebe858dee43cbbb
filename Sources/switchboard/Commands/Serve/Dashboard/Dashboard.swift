import ChatStore
import Enqueuer
import Foundation
import HTTPServer
import JSON
import Queue
import Synchronization

/// The operator's pages, served by `serve` under `/dashboard`: queues, jobs, workers, dead letters, one
/// job, links.
///
/// With `dashboard.token` configured, every page needs a signed-in session (unless `public_read` opens
/// reading to anyone), and changing anything also needs the session's CSRF token in the form and `POST`.
/// The session cookie is `HttpOnly` and `SameSite=Strict`, and `Secure` when the request came over HTTPS
/// through a trusted proxy or `secure_cookie` says so. Failed sign-ins count against the client's address
/// in the limiter the intake token shares. Without a token the dashboard is read-only for anyone who can
/// reach it. No page can be framed.
final class Dashboard: Sendable {
    struct Settings: Sendable {
        /// What an operator signs in with; nil leaves the dashboard read-only.
        var token: String?
        /// Reading needs no session even though a token is configured.
        var publicRead = false
        /// The session cookie is `Secure` on every request.
        var secureCookie = false
    }

    typealias Session = SessionTable.Session

    let store: JobStore
    let chat: ChatStore
    let settings: Settings
    private let origin: RequestOrigin
    private let failures: FailedAttemptLimiter
    let throughput: ThroughputHistory
    private let sessions = SessionTable(lifetime: .seconds(12 * 3_600))

    init(
        store: JobStore, chat: ChatStore, settings: Settings, origin: RequestOrigin, failures: FailedAttemptLimiter,
        throughput: ThroughputHistory
    ) {
        self.store = store
        self.chat = chat
        var settings = settings
        settings.token = settings.token.flatMap { $0.isEmpty ? nil : $0 }
        self.settings = settings
        self.origin = origin
        self.failures = failures
        self.throughput = throughput
    }

    /// What `serve` should say at start when the dashboard is open to anyone on an address other hosts
    /// can reach (no token, and not listening on loopback only): they can read chat text there.
    static func exposureWarning(token: String?, listening address: ListenAddress) -> String? {
        guard token?.isEmpty ?? true, let host = IPAddress(address.host), !host.isLoopback else { return nil }
        return "no dashboard.token is configured, so anyone who can reach \(address) can read the dashboard, "
            + "chat text included; configure a token or listen on loopback only"
    }

    /// Answers a request under `/dashboard`; nil for any other path.
    func answer(_ request: ServerRequest) async -> ServerResponse? {
        guard request.path == "/dashboard" || request.path.hasPrefix("/dashboard/") else { return nil }
        var response = await respond(request)
        response.headers["Content-Security-Policy"] =
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        return response
    }

    private func respond(_ request: ServerRequest) async -> ServerResponse {
        let session = settings.token == nil ? nil : sessions.find(cookieHeader: request.headers["cookie"])
        switch (request.method, request.path) {
        case ("GET", "/dashboard/sign-in"):
            return page("Sign in", signInForm(failed: false), session)
        case ("POST", "/dashboard/sign-in"):
            return signIn(request)
        case ("POST", "/dashboard/sign-out"):
            return signOut(request, session)
        case ("POST", let path) where path.hasPrefix("/dashboard/actions/"):
            return await act(String(path.dropFirst("/dashboard/actions/".count)), request, session)
        case ("GET", _) where session == nil && settings.token != nil && !settings.publicRead:
            return Self.redirect("/dashboard/sign-in")
        case ("GET", _):
            return await read(request, session)
        default:
            return page("Not found", HTML.element("p", "There is no such page."), session, status: 404)
        }
    }

    /// A page that only reads.
    private func read(_ request: ServerRequest, _ session: Session?) async -> ServerResponse {
        do {
            switch request.path {
            case "/dashboard": return page("Queues", try await queues(session), session)
            case "/dashboard/jobs": return page("Jobs", try await jobs(request.query), session)
            case "/dashboard/workers": return page("Workers", try await workers(), session)
            case "/dashboard/dead-letters":
                return page("Dead letters", try await deadLetters(request.query, session), session)
            case "/dashboard/links": return page("Links", try await links(), session)
            case let path where path.hasPrefix("/dashboard/jobs/"):
                guard let id = Int64(path.dropFirst("/dashboard/jobs/".count)), let record = try await store.job(id: id)
                else { return page("No such job", HTML.element("p", "There is no such job."), session, status: 404) }
                return page("Job \(id)", jobPage(record, session), session)
            default:
                return page("Not found", HTML.element("p", "There is no such page."), session, status: 404)
            }
        } catch let error as DashboardQueryError {
            return page("Bad request", HTML.element("p", error.description, class: "bad"), session, status: 400)
        } catch {
            return page(
                "Unavailable", HTML.element("p", "The database cannot be read now.", class: "bad"), session, status: 503
            )
        }
    }

    // MARK: Signing in and out

    private func signInForm(failed: Bool) -> HTML {
        guard settings.token != nil else {
            return HTML.element("p", "No dashboard.token is configured: the dashboard is read-only.")
        }
        return (failed ? HTML.element("p", "That token is not the dashboard's.", class: "bad") : HTML(trusted: ""))
            + HTML(
                trusted: """
                    <form method="post" action="/dashboard/sign-in"><label>token <input type="password" name="token" autocomplete="current-password"></label><button>Sign in</button></form>
                    """)
    }

    /// Checks the token, at most as often as the client's failures allow, and opens a session.
    private func signIn(_ request: ServerRequest) -> ServerResponse {
        guard let token = settings.token else { return page("Sign in", signInForm(failed: false), nil, status: 404) }
        let fields: URLEncodedForm
        do {
            fields = try Self.form(request)
        } catch {
            return error.response(self)
        }
        let signedIn: Bool
        do {
            signedIn = try failures.attempt(by: origin.client(of: request)) {
                let right = WebhookCrypto.equal(Data((fields["token"] ?? "").utf8), Data(token.utf8))
                return (right, right ? .succeeded : .failed)
            }
        } catch {
            var response = page(
                "Sign in",
                HTML.element(
                    "p", "Too many wrong tokens from your address: try again in \(error.retryAfterSeconds) s.",
                    class: "bad"),
                nil, status: 429)
            response.headers["Retry-After"] = String(error.retryAfterSeconds)
            return response
        }
        guard signedIn else { return page("Sign in", signInForm(failed: true), nil, status: 401) }
        let session = sessions.open()
        var response = Self.redirect("/dashboard")
        response.headers["Set-Cookie"] = cookie(
            session.id, maxAge: Int(sessions.lifetime.components.seconds), request)
        return response
    }

    /// Closes the session (here, so a copied cookie is worth nothing after) and clears the cookie.
    private func signOut(_ request: ServerRequest, _ session: Session?) -> ServerResponse {
        do {
            let fields = try Self.form(request)
            guard let session, Self.csrfMatches(fields, session) else { return notAllowed() }
            sessions.close(session)
            var response = Self.redirect("/dashboard/sign-in")
            response.headers["Set-Cookie"] = cookie("", maxAge: 0, request)
            return response
        } catch {
            return error.response(self)
        }
    }

    /// The session cookie: `HttpOnly`, `SameSite=Strict`, and `Secure` when the request came over HTTPS
    /// (as a trusted proxy says) or the settings ask for it always.
    private func cookie(_ value: String, maxAge: Int, _ request: ServerRequest) -> String {
        "\(SessionTable.cookie)=\(value); Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)"
            + (settings.secureCookie || origin.isHTTPS(request) ? "; Secure" : "")
    }

    // MARK: Acting

    /// Carries out one action posted from a form, after checking the session and its CSRF token.
    private func act(_ action: String, _ request: ServerRequest, _ session: Session?) async -> ServerResponse {
        guard let session else { return notAllowed() }
        do {
            let fields = try Self.form(request)
            guard Self.csrfMatches(fields, session) else { return notAllowed() }
            return try await carryOut(action, fields, session)
        } catch let error as DashboardFormError {
            return error.response(self)
        } catch let error as QueueError where error.code == .invalidArgument {
            return page("Not done", HTML.element("p", error.message, class: "bad"), session, status: 400)
        } catch {
            return page(
                "Unavailable", HTML.element("p", "The database cannot be written now.", class: "bad"), session,
                status: 503)
        }
    }

    private func carryOut(_ action: String, _ fields: URLEncodedForm, _ session: Session) async throws
        -> ServerResponse
    {
        switch action {
        case "pause", "resume":
            guard let queue = fields["queue"], !queue.isEmpty else {
                throw DashboardFormError.field("queue", "must name a queue")
            }
            _ = try await action == "pause" ? store.pause(queue: queue) : store.resume(queue: queue)
            return Self.redirect("/dashboard")
        case "redrive", "purge", "retry", "cancel":
            guard let id = fields["id"].flatMap(Int64.init), id > 0 else {
                throw DashboardFormError.field("id", "must be a job id")
            }
            guard let job = try await store.job(id: id) else {
                return page("No such job", HTML.element("p", "There is no job \(id)."), session, status: 404)
            }
            do {
                switch action {
                case "redrive": try await store.redriveDeadLetters(DeadLetterSelection.ids([id]))
                case "purge":
                    try await store.purgeDeadLetters(DeadLetterSelection.ids([id]))
                    return Self.redirect("/dashboard/dead-letters")
                case "retry": _ = try await store.runNow(jobID: id)
                default: _ = try await store.cancel(jobID: id)
                }
            } catch let error as QueueError where error.code == .notFound {
                // The job was there a moment ago: it is no longer a dead letter, or is gone.
                let state = try await store.job(id: id)?.state
                return page(
                    state == nil ? "No such job" : "Not done",
                    HTML.element("p", state == nil ? "There is no job \(id)." : error.message, class: "bad"), session,
                    status: state == nil ? 404 : 409)
            }
            return Self.redirect("/dashboard/jobs/\(job.id)")
        default:
            return page("Unknown action", HTML.element("p", "There is no such action."), session, status: 404)
        }
    }

    /// A one-button form posting `action` with `fields` and the session's CSRF token.
    func form(_ action: String, _ fields: [String: String], _ label: String, _ session: Session) -> HTML {
        let inputs = (fields.sorted { $0.key < $1.key } + [("csrf", session.csrf)]).map {
            "<input type=\"hidden\" name=\"\(HTML.text($0.0).markup)\" value=\"\(HTML.text($0.1).markup)\">"
        }.joined()
        return HTML(
            trusted:
                "<form method=\"post\" action=\"/dashboard/actions/\(action)\">\(inputs)<button>\(HTML.text(label).markup)</button></form>"
        )
    }

    private func notAllowed() -> ServerResponse {
        page("Not allowed", HTML.element("p", "Sign in first; changes need a signed-in session."), nil, status: 403)
    }

    func page(_ title: String, _ body: HTML, _ session: Session?, status: Int = 200) -> ServerResponse {
        ServerResponse.text(
            status,
            HTML.page(title: title, body: body, signOutCSRF: session?.csrf, canSignIn: settings.token != nil),
            contentType: "text/html; charset=utf-8")
    }

    private static func redirect(_ location: String) -> ServerResponse {
        ServerResponse(status: 303, headers: ["Location": location])
    }

    /// A posted form's fields: the body must say it is `application/x-www-form-urlencoded`, what the
    /// dashboard's forms send.
    private static func form(_ request: ServerRequest) throws(DashboardFormError) -> URLEncodedForm {
        let mediaType = request.headers["content-type"]?.prefix { $0 != ";" }
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/x-www-form-urlencoded" else { throw .notAForm }
        do {
            return try URLEncodedForm(request.body)
        } catch {
            throw .unreadable(error)
        }
    }

    private static func csrfMatches(_ fields: URLEncodedForm, _ session: Session) -> Bool {
        guard let csrf = fields["csrf"] else { return false }
        return WebhookCrypto.equal(Data(csrf.utf8), Data(session.csrf.utf8))
    }
}

/// A posted form the dashboard cannot use.
enum DashboardFormError: Error {
    /// The body is not `application/x-www-form-urlencoded`.
    case notAForm
    case unreadable(URLEncodedFormError)
    /// A field is missing or not what the action needs.
    case field(String, String)

    fileprivate func response(_ dashboard: Dashboard) -> ServerResponse {
        switch self {
        case .notAForm:
            dashboard.page(
                "Not a form", HTML.element("p", "Send an application/x-www-form-urlencoded form.", class: "bad"), nil,
                status: 415)
        case .unreadable(let error):
            dashboard.page("Bad request", HTML.element("p", "\(error).", class: "bad"), nil, status: 400)
        case .field(let name, let problem):
            dashboard.page("Bad request", HTML.element("p", "\(name) \(problem).", class: "bad"), nil, status: 400)
        }
    }
}
