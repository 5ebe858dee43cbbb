import Enqueuer
import Foundation
import HTTPClient
import JSON
import WebSocket

/// DingTalk's Stream mode: `POST /v1.0/gateway/connections/open` with the app's client id and secret
/// (its AppKey and AppSecret) hands out an endpoint and a one-time ticket; the robot's messages arrive as
/// `CALLBACK` frames on the `/v1.0/im/bot/messages/get` topic, each acknowledged by its `messageId` once
/// recorded. DingTalk pings with `SYSTEM` frames (echoed at once) and says `disconnect` before it closes.
struct DingTalkStream: SocketMode {
    static let settingNames: [String] = []
    static let requiredSettings: [String] = []
    /// The topic of the robot's received messages.
    static let botMessages = "/v1.0/im/bot/messages/get"
    let provider = Provider.dingtalk
    /// DingTalk's SDK pings the socket every 60 s besides the server's own pings.
    let keepalive: WebSocketKeepalive? = WebSocketKeepalive(pingAfter: 30, hangUpAfter: 90)
    let settings: ProviderSettings
    private let http: HTTPClient

    init(settings: ProviderSettings, http: HTTPClient) {
        self.settings = settings
        self.http = http
    }

    /// The client id (AppKey) names the app; it is not its secret.
    static func stream(of settings: ProviderSettings) -> String {
        StreamName.of(
            "dingtalk", credential: settings.credential("app_key"), publicPart: settings.credential("app_key"))
    }

    func connect(from _: String?) async throws(ReceiveError) -> (url: String, session: any SocketSession) {
        let body = JSONValue.object(
            JSONObject([
                "clientId": .string(settings.credential("app_key")),
                "clientSecret": .string(settings.credential("app_secret")),
                "subscriptions": .array([
                    .object(JSONObject(["type": .string("CALLBACK"), "topic": .string(Self.botMessages)]))
                ]),
                "ua": .string("switchboard"),
            ]))
        let response: HTTPResponse
        do {
            response = try await http.send(.json(settings.url(.dingtalkStreamOpen), body.serialized))
        } catch {
            throw .transient("dingtalk gateway/connections/open: \(error)")
        }
        switch response.status {
        case 200:
            break
        case 400, 401, 403:
            throw .fatal(
                "DingTalk refused providers.dingtalk.client_id and client_secret (also named app_key and app_secret; "
                    + "HTTP \(response.status) from gateway/connections/open)")
        case 429:
            throw .transient(
                "dingtalk gateway/connections/open is rate-limited",
                retryAfter: .providerWait(response.retryAfterSeconds, otherwise: .seconds(10)))
        default:
            throw .transient("dingtalk gateway/connections/open answered HTTP \(response.status)")
        }
        guard case .object(let answer)? = try? JSONParser.parse(response.body),
            let endpoint = answer["endpoint"]?.stringValue, let ticket = answer["ticket"]?.stringValue
        else {
            throw .transient("dingtalk gateway/connections/open answered without an endpoint and a ticket")
        }
        let encoded = ticket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ticket
        return (endpoint + (endpoint.contains("?") ? "&" : "?") + "ticket=" + encoded, DingTalkStreamSession())
    }
}

/// One Stream mode connection.
package struct DingTalkStreamSession: SocketSession {
    package init() {}

    package func read(_ message: WebSocketMessage) -> [SocketInput] {
        guard !message.isBinary, case .object(let frame)? = try? JSONParser.parse(message.bytes),
            let headers = frame["headers"]?.objectValue, let messageID = headers["messageId"]?.stringValue
        else { return [] }
        let topic = headers["topic"]?.stringValue
        let data = frame["data"]?.stringValue ?? ""
        switch (frame["type"]?.stringValue, topic) {
        case ("SYSTEM", "ping"):
            return [.send([Self.ack(messageID, data: data)])]
        case ("SYSTEM", "disconnect"):
            return [.reconnect("DingTalk asked for a new connection (disconnect)", after: nil)]
        case ("CALLBACK", DingTalkStream.botMessages):
            return [
                .record(
                    [Delivery(provider: .dingtalk, body: Data(data.utf8))],
                    acks: [Self.ack(messageID, data: #"{"response":null}"#)], position: nil)
            ]
        case ("EVENT", _):
            // Other events of the app are acknowledged, so DingTalk does not resend them; none is a message.
            return [.send([Self.ack(messageID, data: #"{"status":"SUCCESS"}"#)])]
        default:
            return []
        }
    }

    /// The acknowledgement of the frame `messageID`, with `data`.
    private static func ack(_ messageID: String, data: String) -> WebSocketMessage {
        .text(
            JSONValue.object(
                JSONObject([
                    "code": .integer(200),
                    "headers": .object(
                        JSONObject([
                            "messageId": .string(messageID), "contentType": .string("application/json"),
                        ])),
                    "message": .string("OK"),
                    "data": .string(data),
                ])
            ).serialized)
    }
}
