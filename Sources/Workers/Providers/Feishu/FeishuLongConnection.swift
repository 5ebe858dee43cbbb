import Enqueuer
import Foundation
import HTTPClient
import JSON
import Synchronization
import WebSocket

/// Feishu's (Lark's) long connection: `POST /callback/ws/endpoint` with the app's id and secret hands out
/// a socket URL; frames are protobuf (`FeishuFrame`). Events arrive as data frames (split across frames
/// when large, reassembled by `message_id`), each answered with the same frame carrying `{"code":200}`
/// once recorded; the client pings in control frames at the interval Feishu's configuration gives.
struct FeishuLongConnection: SocketMode {
    static let settingNames: [String] = []
    static let requiredSettings: [String] = []
    /// The SDK's ping interval until Feishu's configuration says otherwise.
    static let defaultPingInterval = Duration.seconds(120)
    let provider = Provider.feishu
    /// Feishu's SDK relies on the socket's own pings besides its protobuf pings.
    let keepalive: WebSocketKeepalive? = WebSocketKeepalive(pingAfter: 20, hangUpAfter: 60)
    let settings: ProviderSettings
    private let http: HTTPClient

    init(settings: ProviderSettings, http: HTTPClient) {
        self.settings = settings
        self.http = http
    }

    /// The app id names the stream; it is not the app's secret.
    static func stream(of settings: ProviderSettings) -> String {
        StreamName.of("feishu", credential: settings.credential("app_id"), publicPart: settings.credential("app_id"))
    }

    func connect(from _: String?) async throws(ReceiveError) -> (url: String, session: any SocketSession) {
        let body = JSONValue.object(
            JSONObject([
                "AppID": .string(settings.credential("app_id")),
                "AppSecret": .string(settings.credential("app_secret")),
            ]))
        let response: HTTPResponse
        do {
            response = try await http.send(
                .json(settings.url(.feishuSocketEndpoint), body.serialized, headers: [("locale", "zh")]))
        } catch {
            throw .transient("feishu callback/ws/endpoint: \(error)")
        }
        guard case .object(let answer)? = try? JSONParser.parse(response.body), let code = answer["code"]?.integerValue
        else {
            throw .transient("feishu callback/ws/endpoint answered HTTP \(response.status) without a code")
        }
        switch code {
        case 0:
            break
        case 1, 1_000_040_343:
            throw .transient("feishu callback/ws/endpoint is busy (code \(code))")
        default:
            throw .fatal(
                "Feishu refused providers.feishu.app_id and app_secret for the long connection (code \(code): "
                    + "\(answer["msg"]?.stringValue ?? "")); long connections are for self-built apps with "
                    + "Events and callbacks set to use one")
        }
        let data = answer["data"]?.objectValue
        guard let url = data?["URL"]?.stringValue else {
            throw .transient("feishu callback/ws/endpoint answered without a URL")
        }
        let service = URLComponents(string: url)?.queryItems?.first { $0.name == "service_id" }?.value
        let ping = data?["ClientConfig"]?.objectValue?["PingInterval"]?.integerValue
        return (
            url,
            FeishuSession(
                service: service.flatMap { Int32($0) } ?? 0,
                pingInterval: ping.map { .seconds(max($0, 1)) } ?? Self.defaultPingInterval)
        )
    }
}

/// One long connection: pings, events (reassembled when split), their responses.
package final class FeishuSession: SocketSession {
    /// How long the parts of a split event are kept waiting for the rest.
    static let fragmentLifetime = Duration.seconds(5)

    private let service: Int32
    private let pingInterval: Duration
    /// Parts of split events, by message id: each part's payload by its index, and when the first came.
    private let fragments = Mutex([String: (parts: [Int: Data], since: ContinuousClock.Instant)]())

    package init(service: Int32, pingInterval: Duration) {
        self.service = service
        self.pingInterval = pingInterval
    }

    package func opened() -> [SocketInput] {
        [.heartbeat(every: pingInterval, first: [pingFrame()])]
    }

    package func beat() -> WebSocketMessage? {
        pingFrame()
    }

    package func read(_ message: WebSocketMessage) -> [SocketInput] {
        guard message.isBinary, let frame = try? FeishuFrame(decoding: message.bytes) else { return [] }
        switch (FeishuFrame.Method(rawValue: frame.method), frame.header("type")) {
        case (.control, "pong"):
            // A pong may carry a new configuration: its ping interval replaces the one in use.
            guard let payload = frame.payload, case .object(let config)? = try? JSONParser.parse(payload),
                let seconds = config["PingInterval"]?.integerValue, seconds > 0
            else { return [] }
            return [.heartbeat(every: .seconds(seconds), first: [])]
        case (.data, "event"):
            guard let payload = whole(frame) else { return [] }
            var response = frame
            response.headers.append(FeishuFrame.Header("biz_rt", "0"))
            response.payload = Data(#"{"code":200}"#.utf8)
            return [
                .record(
                    [Delivery(provider: .feishu, body: payload)], acks: [.binary(response.encoded())], position: nil)
            ]
        default:
            // Server pings need no answer; cards carry no message (Feishu's SDK leaves them unanswered too).
            return []
        }
    }

    /// The event's whole payload: the frame's own, or once every part of a split event has come, the
    /// parts in order; nil while parts are missing.
    private func whole(_ frame: FeishuFrame) -> Data? {
        let count = frame.header("sum").flatMap { Int($0) } ?? 1
        guard count > 1, let id = frame.header("message_id"), let index = frame.header("seq").flatMap({ Int($0) })
        else { return frame.payload ?? Data() }
        let now = ContinuousClock.now
        return fragments.withLock { fragments in
            fragments = fragments.filter { now - $0.value.since < Self.fragmentLifetime }
            var entry = fragments[id] ?? (parts: [:], since: now)
            entry.parts[index] = frame.payload ?? Data()
            guard entry.parts.count == count else {
                fragments[id] = entry
                return nil
            }
            fragments[id] = nil
            return entry.parts.sorted { $0.key < $1.key }.reduce(into: Data()) { $0.append($1.value) }
        }
    }

    private func pingFrame() -> WebSocketMessage {
        .binary(
            FeishuFrame(service: service, method: .control, headers: [FeishuFrame.Header("type", "ping")]).encoded())
    }
}
