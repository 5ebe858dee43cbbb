import Enqueuer
import Foundation
import HTTPServer
import JSON
import Queue
import Workers

/// What `serve` answers on each route: webhooks checked for authenticity and written by group commit,
/// the bearer-token intake for forwarders, health, readiness and metrics.
package struct ServeRoutes: Sendable {
    let gate: WebhookGate
    let intakeToken: String?
    /// Who sent a request, through the trusted proxies: failed intake tokens count against that address.
    let origin: RequestOrigin
    /// Failed intake tokens and dashboard sign-ins, per client address.
    let failures: FailedAttemptLimiter
    let batcher: IntakeBatcher
    let store: JobStore
    let metrics: ServeMetrics
    /// The schema version the store was opened at; `/readyz` fails if the database moves away from it.
    let schemaVersion: Int
    /// Where database failures are told, in full; the client is told only that it should retry.
    let log: @Sendable (String) -> Void
    let dashboard: Dashboard
    /// `/api/v1`: linking, channel connections and the queue for applications.
    let api: APIRoutes
    /// The files the workers fetched, handed out through signed links; nil when links are not configured.
    let attachments: AttachmentFiles?
    /// How long a request may wait for the database (a webhook's write, a page's reads) before it is
    /// answered 503: below the providers' own timeouts (Slack's is 3 s), so they retry rather than give up.
    let writeTimeout: Duration

    /// How long `/readyz` may wait for the database: a readiness check must answer within a second, and
    /// half of it is left for a busy machine's scheduling delays around the waits.
    static let readinessTimeout = Duration.milliseconds(500)
    /// The new space `/readyz` takes and gives back: more than a batch of events needs.
    static let readinessRoom = 1 << 20

    /// Answers one request, and counts its duration.
    package func answer(_ request: ServerRequest) async -> ServerResponse {
        let started = ContinuousClock.now
        let response = await StoreDeadline.within(writeTimeout) { await route(request) }
        metrics.recordRequest(seconds: (ContinuousClock.now - started).seconds)
        return response
    }

    private func route(_ request: ServerRequest) async -> ServerResponse {
        if request.path.split(separator: "/").first == Substring(APIRoutes.prefix) {
            return await api.answer(request)
        }
        if let page = await dashboard.answer(request) {
            return page
        }
        let segments = request.path.split(separator: "/").map(String.init)
        switch (request.method, segments.first, segments.count) {
        case ("GET", "healthz", 1):
            return .json(200, Data(#"{"status":"ok"}"#.utf8))
        case ("GET", "readyz", 1):
            return await readiness()
        case ("GET", "metrics", 1):
            return await exposition()
        case ("GET", AttachmentLinks.pathPrefix, 2), ("HEAD", AttachmentLinks.pathPrefix, 2):
            return await attachment(segments[1], query: request.query)
        case ("POST", "webhooks", 2), ("GET", "webhooks", 2):
            guard let provider = Provider(rawValue: segments[1]), WebhookGate.accepts(request.method, for: provider)
            else { return Self.notFound }
            return await receive(provider, request) { gate.check(provider, $0, now: store.clock.now()) }
        case ("POST", "intake", 2):
            guard let provider = Provider(rawValue: segments[1]) else { return Self.notFound }
            // The token is checked under the failure limiter, which refuses an address that failed too often.
            let verdict: WebhookVerdict
            do {
                verdict = try failures.attempt(by: origin.client(of: request)) {
                    let verdict = WebhookGate.checkBearer(
                        WebhookRequest(
                            method: "POST", query: request.query, headers: request.headers, body: request.body),
                        token: intakeToken)
                    switch verdict {
                    case .deliver: return (verdict, .succeeded)
                    case .refuse: return (verdict, .failed)
                    case .notConfigured, .answer: return (verdict, .notCounted)
                    }
                }
            } catch {
                var response = Self.error(429, "too many wrong tokens from this address; retry later")
                response.headers["Retry-After"] = String(error.retryAfterSeconds)
                return response
            }
            return await receive(provider, request) { _ in verdict }
        default:
            return Self.notFound
        }
    }

    /// A kept file, for a link signed with the configured secret that has not expired.
    private func attachment(_ digest: String, query: [String: String]) async -> ServerResponse {
        guard let attachments else { return Self.notFound }
        switch await attachments.answer(digest: digest, query: query) {
        case .file(let contentType, let descriptor, let size):
            var response = ServerResponse(
                status: 200,
                headers: [
                    "Content-Type": contentType, "X-Content-Type-Options": "nosniff",
                    "Content-Disposition": "attachment", "Cache-Control": "private, no-store",
                    "Content-Security-Policy": "sandbox",
                ])
            response.file = ResponseFile(descriptor: descriptor, size: size)
            return response
        case .refused:
            return Self.error(403, "the link is not valid, or has expired")
        case .missing:
            return Self.notFound
        }
    }

    /// Checks a delivery's authenticity, then writes it and answers with what intake made of it.
    private func receive(
        _ provider: Provider, _ request: ServerRequest, check: (WebhookRequest) -> WebhookVerdict
    ) async -> ServerResponse {
        let verdict = check(
            WebhookRequest(method: request.method, query: request.query, headers: request.headers, body: request.body))
        let body: Data
        switch verdict {
        case .notConfigured:
            return Self.notFound
        case .refuse:
            return Self.error(401, "the request is not authentic")
        case .answer(let text):
            return ServerResponse(status: 200, headers: ["Content-Type": "text/plain; charset=utf-8"], body: text)
        case .deliver(let delivered):
            body = delivered
        }
        guard Self.isJSON(request.headers["content-type"]) else {
            return Self.error(415, "Content-Type must be application/json")
        }
        let result: IntakeResult
        do {
            result = try await batcher.receive(Delivery(provider: provider, body: body))
        } catch {
            log("cannot record a \(provider.rawValue) delivery: \(error)")
            var response = Self.error(503, "the event could not be recorded; retry")
            response.headers["Retry-After"] = "1"
            return response
        }
        metrics.recordIntake(provider: provider, status: result.status)
        // Unreadable (not JSON) is 400; JSON that lacks or garbles a field is 422; the answer names it.
        let status = result.status != .rejected ? 200 : result.rejection?.unreadable == true ? 400 : 422
        return .json(status, JSONValue.object(result.fields).serialized)
    }

    /// Ready when an event could be recorded now: the database answers within `readinessTimeout`, its
    /// schema is still the one this build runs, it commits a write, and it can take new space (a write
    /// that adds no pages succeeds on a full disk, where every event fails).
    private func readiness() async -> ServerResponse {
        do {
            return try await StoreDeadline.within(Self.readinessTimeout) {
                let version = try await store.schemaVersion()
                guard version == schemaVersion else {
                    return Self.error(
                        503, "the database's schema is at version \(version), this build runs \(schemaVersion)")
                }
                try await store.pruneExpiredDedupeKeys(limit: 1)
                try await store.checkRoom(bytes: Self.readinessRoom)
                return .json(200, Data(#"{"status":"ready"}"#.utf8))
            }
        } catch {
            log("not ready: \(error)")
            return Self.error(503, "the database cannot take an event now")
        }
    }

    private func exposition() async -> ServerResponse {
        do {
            let stats = try await store.stats()
            let workers = try await store.workers()
            return .text(
                200, metrics.exposition(stats, workers: workers, now: store.clock.now()),
                contentType: "text/plain; version=0.0.4; charset=utf-8")
        } catch {
            log("cannot read the queue's figures: \(error)")
            return Self.error(503, "the database cannot be read")
        }
    }

    private static let notFound = error(404, "no such route, or its provider's secret is not configured")

    private static func error(_ status: Int, _ message: String) -> ServerResponse {
        .json(status, JSONValue.object(["error": message]).serialized)
    }

    /// Whether a Content-Type names JSON (`application/json`, any parameters).
    private static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.prefix { $0 != ";" }.filter { $0 != " " && $0 != "\t" }
        return mediaType.lowercased() == "application/json"
    }
}
