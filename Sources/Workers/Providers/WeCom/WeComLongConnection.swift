import Enqueuer
import Foundation
import HTTPClient
import JSON
import Synchronization
import WebSocket

/// WeCom's AI-bot long connection: no HTTPS call first; the client subscribes with the bot's id and
/// secret, pings every 30 s, and receives `aibot_msg_callback` frames. Replies go out over the same
/// socket (`aibot_respond_msg` with the callback's `req_id`, a stream growing until `finish`): the
/// workers queue them in the database and the process holding the bot's stream sends them, each until
/// WeCom's receipt for it comes back.
struct WeComLongConnection: SocketMode {
    static let settingNames = ["bot_id", "bot_secret", "socket_url"]
    static let requiredSettings = ["bot_id", "bot_secret"]
    static let repliesOverSocket = true
    static let publicSettings = ["socket_url"]
    static let defaultURL = "wss://openws.work.weixin.qq.com"
    /// How often the client pings; two pings left unanswered drop the connection.
    static let pingInterval = Duration.seconds(30)
    let provider = Provider.wecom
    let keepalive: WebSocketKeepalive? = nil
    let settings: ProviderSettings

    init(settings: ProviderSettings, http: HTTPClient) {
        self.settings = settings
    }

    static func settingProblem(_ name: String, _ value: String) -> String? {
        guard name == "socket_url" else { return nil }
        let url = URLComponents(string: value)
        guard let scheme = url?.scheme?.lowercased(), scheme == "ws" || scheme == "wss", url?.host?.isEmpty == false
        else { return "must be a ws:// or wss:// URL with a host" }
        return nil
    }

    /// The bot id names the stream; it is not the bot's secret.
    static func stream(of settings: ProviderSettings) -> String {
        StreamName.of("wecom", credential: settings.credential("bot_id"), publicPart: settings.credential("bot_id"))
    }

    func connect(from _: String?) async throws(ReceiveError) -> (url: String, session: any SocketSession) {
        let url = settings.credentials["socket_url"] ?? Self.defaultURL
        guard let scheme = URLComponents(string: url)?.scheme?.lowercased(), scheme == "ws" || scheme == "wss" else {
            throw .fatal("providers.wecom.socket_url must be a ws:// or wss:// URL")
        }
        return (
            url,
            WeComSession(botID: settings.credential("bot_id"), secret: settings.credential("bot_secret"))
        )
    }
}

/// One long connection: the subscription, pings, callbacks, and receipts for the replies sent on it.
package final class WeComSession: SocketSession {
    private let botID: String
    private let secret: String
    /// Pings sent since the last answer.
    private let unansweredPings = Mutex(0)
    private let subscription: String

    package init(botID: String, secret: String) {
        self.botID = botID
        self.secret = secret
        subscription =
            "aibot_subscribe_\(Int64(Date().timeIntervalSince1970 * 1000))_\(UInt32.random(in: 0...UInt32.max))"
    }

    package func opened() -> [SocketInput] {
        let subscribe = Self.frame(
            "aibot_subscribe", requestID: subscription,
            body: JSONObject(["bot_id": .string(botID), "secret": .string(secret)]))
        return [.send([subscribe]), .heartbeat(every: WeComLongConnection.pingInterval, first: [])]
    }

    package func beat() -> WebSocketMessage? {
        let sent = unansweredPings.withLock { pings -> Int? in
            guard pings < 2 else { return nil }
            pings += 1
            return pings
        }
        guard sent != nil else { return nil }
        return Self.frame("ping", requestID: "ping_\(UInt32.random(in: 0...UInt32.max))", body: nil)
    }

    package func read(_ message: WebSocketMessage) -> [SocketInput] {
        guard !message.isBinary, case .object(let frame)? = try? JSONParser.parse(message.bytes),
            let requestID = frame["headers"]?.objectValue?["req_id"]?.stringValue, !requestID.isEmpty
        else { return [] }
        switch frame["cmd"]?.stringValue {
        case "aibot_msg_callback":
            guard var body = frame["body"]?.objectValue else { return [] }
            // The callback's request id is what the reply answers: the normaliser keeps it in the target.
            body.set("req_id", .string(requestID))
            return [
                .record([Delivery(provider: .wecom, body: JSONValue.object(body).serialized)], acks: [], position: nil)
            ]
        case "aibot_event_callback":
            let event = frame["body"]?.objectValue?["event"]?.objectValue?["eventtype"]?.stringValue
            guard event == "disconnected_event" else { return [] }
            return [
                .stop(
                    .fatal(
                        "WeCom opened a newer connection for providers.wecom.bot_id and closed this one "
                            + "(disconnected_event): WeCom allows one connection per bot; is another program using it?"
                    ))
            ]
        case nil:
            return receipt(requestID, frame)
        default:
            return []
        }
    }

    package func receiptKey(of frame: String) -> String? {
        (try? JSONParser.parse(Data(frame.utf8)))?.objectValue?["headers"]?.objectValue?["req_id"]?.stringValue
    }

    /// An answer to a frame this side sent: the subscription, a ping, or a reply.
    private func receipt(_ requestID: String, _ frame: JSONObject) -> [SocketInput] {
        let code = frame["errcode"]?.integerValue ?? 0
        let failure = code == 0 ? nil : "errcode \(code): \(frame["errmsg"]?.stringValue ?? "")"
        if requestID == subscription {
            guard let failure else { return [.ready] }
            return [.stop(.fatal("WeCom refused providers.wecom.bot_id and bot_secret (\(failure))"))]
        }
        if requestID.hasPrefix("ping_") {
            unansweredPings.withLock { $0 = 0 }
            return []
        }
        return [.receipt(key: requestID, failure: failure)]
    }

    /// A frame of the long connection's protocol: a command, its request id, and a body.
    static func frame(_ command: String, requestID: String, body: JSONObject?) -> WebSocketMessage {
        var frame = JSONObject([
            "cmd": .string(command), "headers": .object(JSONObject(["req_id": .string(requestID)])),
        ])
        frame.set("body", body.map(JSONValue.object))
        return .text(JSONValue.object(frame).serialized)
    }
}
