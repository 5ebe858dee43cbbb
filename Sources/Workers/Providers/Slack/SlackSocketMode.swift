import Enqueuer
import Foundation
import HTTPClient
import JSON
import WebSocket

/// Slack Socket Mode: `apps.connections.open` with the app-level token (`xapp-...`) hands out a socket;
/// events arrive in `events_api` envelopes, each acknowledged with its `envelope_id` once recorded.
/// Slack says `disconnect` before it drops a connection (`refresh_requested`, `warning`), and
/// `link_disabled` when Socket Mode was switched off, which stops receiving.
struct SlackSocketMode: SocketMode {
    static let settingNames = ["app_token"]
    static let requiredSettings = ["app_token"]
    let provider = Provider.slack
    /// Slack checks liveness with WebSocket pings only: its SDK drops a connection silent for 20 s.
    let keepalive: WebSocketKeepalive? = WebSocketKeepalive(pingAfter: 10, hangUpAfter: 30)
    let settings: ProviderSettings
    private let http: HTTPClient

    init(settings: ProviderSettings, http: HTTPClient) {
        self.settings = settings
        self.http = http
    }

    /// An app-level token reads `xapp-1-APPID-...`: the app id names the stream.
    static func stream(of settings: ProviderSettings) -> String {
        let token = settings.credential("app_token")
        let parts = token.split(separator: "-")
        return StreamName.of(
            "slack", credential: token, publicPart: parts.count > 3 && parts[0] == "xapp" ? String(parts[2]) : nil)
    }

    func connect(from _: String?) async throws(ReceiveError) -> (url: String, session: any SocketSession) {
        let request = HTTPRequest(
            .post, settings.url(.slackConnectionsOpen),
            headers: [
                ("Authorization", "Bearer \(settings.credential("app_token"))"),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ], body: Data())
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw .transient("slack apps.connections.open: \(error)")
        }
        if response.status == 429 {
            throw .transient(
                "slack apps.connections.open is rate-limited",
                retryAfter: .providerWait(response.retryAfterSeconds, otherwise: .seconds(30)))
        }
        guard case .object(let answer)? = try? JSONParser.parse(response.body) else {
            throw .transient("slack apps.connections.open answered HTTP \(response.status) without JSON")
        }
        guard answer["ok"] == .bool(true), let url = answer["url"]?.stringValue else {
            let error = answer["error"]?.stringValue ?? "HTTP \(response.status)"
            if Self.refusals.contains(error) {
                throw .fatal(
                    "Slack refused providers.slack.app_token (\(error)): it must be the app-level token "
                        + "(xapp-...) with the connections:write scope, and Socket Mode must be on")
            }
            // Too many open connections for the app: wait before adding one more.
            throw .transient(
                "slack apps.connections.open failed: \(error)",
                retryAfter: error == "too_many_websockets" ? .seconds(30) : nil)
        }
        return (url, SlackSocketSession())
    }

    /// `apps.connections.open` errors that no retry mends.
    private static let refusals: Set<String> = [
        "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type",
        "missing_scope", "no_permission",
    ]
}

/// One Socket Mode connection.
package struct SlackSocketSession: SocketSession {
    package init() {}

    package func read(_ message: WebSocketMessage) -> [SocketInput] {
        guard !message.isBinary, case .object(let frame)? = try? JSONParser.parse(message.bytes) else {
            return []
        }
        let envelope = frame["envelope_id"]?.stringValue
        switch frame["type"]?.stringValue {
        case "events_api":
            guard let envelope, let payload = frame["payload"] else { return [] }
            return [
                .record(
                    [Delivery(provider: .slack, body: payload.serialized)], acks: [Self.ack(envelope)], position: nil)
            ]
        case "disconnect":
            let reason = frame["reason"]?.stringValue ?? "unspecified"
            if reason == "link_disabled" {
                return [
                    .stop(
                        .fatal(
                            "Slack switched Socket Mode off for this app (link_disabled): turn it on in the app's "
                                + "settings, or receive Slack by webhook with `switchboard serve`"))
                ]
            }
            // Too many open connections for the app: wait before adding one more.
            let pause: Duration? = reason == "too_many_websockets" ? .seconds(30) : nil
            return [.reconnect("Slack asked for a new connection (\(reason))", after: pause)]
        default:
            // Slash commands and interactions are acknowledged so Slack does not resend them; they carry no
            // message for the agent.
            return envelope.map { [.send([Self.ack($0)])] } ?? []
        }
    }

    private static func ack(_ envelope: String) -> WebSocketMessage {
        .text(JSONValue.object(JSONObject(["envelope_id": .string(envelope)])).serialized)
    }
}
