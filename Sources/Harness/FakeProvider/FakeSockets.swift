import Foundation
import JSON
import Synchronization
import WebSocket
import Workers

/// The fake provider's socket side: Slack Socket Mode, Feishu's long connection, DingTalk's Stream mode
/// and the Discord Gateway on a loopback WebSocket server, scripted over the fake's HTTP side.
///
/// - `POST /_fake/socket/events` `{"slack": [events_api payload, ...], "feishu": [event, ...],
///   "dingtalk": [robot message, ...], "discord": [MESSAGE_CREATE d, ...]}` queues events: each goes to
///   the provider's open connection, or to the next one. A Slack envelope or Feishu event stays queued
///   until acknowledged and is sent again on every new connection, as they retry; a DingTalk callback goes
///   out once (DingTalk does not redeliver a robot's messages); a
///   Discord dispatch gets the session's next sequence number and is replayed to a RESUME after an
///   earlier one.
/// - `POST /_fake/socket/control` `{"provider": P, "close": CODE}` closes the open connection with a code;
///   `"send": frame` sends a raw frame; for Discord,
///   `"ack_heartbeats": false` stops answering heartbeats (a zombie connection), `"heartbeat_ms": N` sets
///   HELLO's interval (default 1000) and `"forget_sessions": true` makes every RESUME fail with op 9; for
///   Feishu, `"ping_s": N` sets the ping interval the endpoint hands out and `"split": true` sends each
///   event in two frames; for WeCom, `"refuse_subscription": true` refuses the bot's secret and
///   `"withhold_receipts": true` leaves replies unanswered. WeCom's callbacks (`"wecom": [body, ...]`) go
///   out once, after the subscription; the replies that come back are in the state.
/// - `GET /_fake/socket/state`: the WebSocket port, and per provider connections, events acknowledged and
///   not, DingTalk's echoed pings, WeCom's subscriptions, pings and replies, Discord's identifies, resumes
///   and heartbeats.
package final class FakeSockets: Sendable {
    /// Events of a provider that acknowledges each (Slack, DingTalk): sent again on every new connection
    /// until acknowledged.
    private struct AckedEvents {
        /// Envelopes not yet acknowledged, by id, and the order they were queued in (ids acknowledged since
        /// are skipped when it is read).
        var unacked: [String: JSONValue] = [:]
        var order: [String] = []
        var acked = 0
        var nextEnvelope = 1

        /// The unacknowledged envelopes, oldest first.
        mutating func pending() -> [(id: String, payload: JSONValue)] {
            order.removeAll { unacked[$0] == nil }
            return order.map { ($0, unacked[$0]!) }
        }
    }

    private struct DiscordSessionLog {
        var dispatched: [(sequence: Int64, frame: JSONValue)] = []
        var sequence: Int64 = 0
    }

    private struct Discord {
        var pending: [JSONValue] = []
        var sessions: [String: DiscordSessionLog] = [:]
        /// The session the open connection speaks for, once identified or resumed.
        var current: String?
        var nextSession = 1
        var identifies = 0
        var resumes = 0
        var heartbeats = 0
        var ackHeartbeats = true
        var heartbeatMilliseconds: Int64 = 1000
        var forgetSessions = false
    }

    /// The WeCom AI bot's side: callbacks (each sent once, after the subscription), and the replies that
    /// came back over the socket, each answered with a receipt unless receipts are withheld.
    private struct WeCom {
        var pending: [(requestID: String, body: JSONValue)] = []
        var nextRequest = 1
        var subscribed = false
        var subscriptions = 0
        var pings = 0
        var refuseSubscription = false
        var withholdReceipts = false
        /// Each `aibot_respond_msg` received: its request id and stream.
        var responses: [JSONValue] = []
    }

    private struct State {
        var port: UInt16 = 0
        var peers: [String: WebSocketServer.Peer] = [:]
        var connections: [String: Int] = [:]
        var slack = AckedEvents()
        var dingtalk = AckedEvents()
        var feishu = AckedEvents()
        /// Pings Feishu's client sent, and the interval the endpoint's configuration gives.
        var feishuPings = 0
        var feishuPingSeconds: Int64 = 120
        /// Whether Feishu's events are sent in two frames each.
        var feishuSplit = false
        /// Acknowledgements of DingTalk frames that carried no event (its SYSTEM pings), with their data.
        var dingtalkEchoes: [String] = []
        /// The DingTalk callbacks sent: each goes out once, acknowledged or not.
        var dingtalkSent: Set<String> = []
        var wecom = WeCom()
        var discord = Discord()
    }

    /// The Discord application id the fake's READY gives.
    package static let discordApplicationID = "424242424242424242"

    private let state = Mutex(State())
    private let server = Mutex<WebSocketServer?>(nil)

    /// The port its WebSocket server listens on.
    var port: UInt16 { state.withLock { $0.port } }

    init() throws {
        let created = try WebSocketServer { [weak self] event in
            self?.handle(event)
        }
        server.withLock { $0 = created }
        state.withLock { $0.port = created.port }
    }

    /// The ping interval Feishu's endpoint hands out.
    var feishuPingSeconds: Int64 { state.withLock { $0.feishuPingSeconds } }

    /// The socket URL a provider's pre-call hands out.
    func url(_ provider: String) -> String {
        "ws://127.0.0.1:\(port)/\(provider)"
    }

    // MARK: Control

    func queueEvents(_ body: Data) -> (status: Int, body: Data) {
        guard case .object(let events)? = try? JSONParser.parse(body) else {
            return (400, Data(#"{"error":"expected {\"slack\": [...], \"discord\": [...]}"}"#.utf8))
        }
        let sends = state.withLock { state -> [(String, WebSocketMessage)] in
            var sends: [(String, WebSocketMessage)] = []
            for payload in events["slack"]?.arrayValue ?? [] {
                let id = "env-\(state.slack.nextEnvelope)"
                state.slack.nextEnvelope += 1
                state.slack.unacked[id] = payload
                state.slack.order.append(id)
                if state.peers["slack"] != nil { sends.append(("slack", Self.envelope(id, payload))) }
            }
            for message in events["dingtalk"]?.arrayValue ?? [] {
                let id = "msg-\(state.dingtalk.nextEnvelope)"
                state.dingtalk.nextEnvelope += 1
                state.dingtalk.unacked[id] = message
                state.dingtalk.order.append(id)
                if state.peers["dingtalk"] != nil {
                    state.dingtalkSent.insert(id)
                    sends.append(("dingtalk", Self.dingtalkCallback(id, message)))
                }
            }
            for body in events["wecom"]?.arrayValue ?? [] {
                let requestID = "req-\(state.wecom.nextRequest)"
                state.wecom.nextRequest += 1
                if state.peers["wecom"] != nil && state.wecom.subscribed {
                    sends.append(("wecom", Self.wecomCallback(requestID, body)))
                } else {
                    state.wecom.pending.append((requestID, body))
                }
            }
            for event in events["feishu"]?.arrayValue ?? [] {
                let id = "fs-\(state.feishu.nextEnvelope)"
                state.feishu.nextEnvelope += 1
                state.feishu.unacked[id] = event
                state.feishu.order.append(id)
                if state.peers["feishu"] != nil {
                    sends += Self.feishuEvent(id, event, split: state.feishuSplit).map { ("feishu", $0) }
                }
            }
            for message in events["discord"]?.arrayValue ?? [] {
                if let session = state.discord.current, state.peers["discord"] != nil {
                    sends.append(("discord", Self.dispatch(message, in: session, state: &state)))
                } else {
                    state.discord.pending.append(message)
                }
            }
            return sends
        }
        send(sends)
        return (200, Data("{}".utf8))
    }

    func control(_ body: Data) -> (status: Int, body: Data) {
        guard case .object(let control)? = try? JSONParser.parse(body), let provider = control["provider"]?.stringValue
        else {
            return (400, Data(#"{"error":"expected {\"provider\": ...}"}"#.utf8))
        }
        let peer = state.withLock { state -> WebSocketServer.Peer? in
            if let acks = control["ack_heartbeats"], case .bool(let answer) = acks {
                state.discord.ackHeartbeats = answer
            }
            if let interval = control["heartbeat_ms"]?.integerValue { state.discord.heartbeatMilliseconds = interval }
            if control["forget_sessions"] == .bool(true) { state.discord.forgetSessions = true }
            if let seconds = control["ping_s"]?.integerValue { state.feishuPingSeconds = seconds }
            if case .bool(let split)? = control["split"] { state.feishuSplit = split }
            if case .bool(let refuse)? = control["refuse_subscription"] { state.wecom.refuseSubscription = refuse }
            if case .bool(let withhold)? = control["withhold_receipts"] { state.wecom.withholdReceipts = withhold }
            return state.peers[provider]
        }
        guard let peer else { return (200, Data(#"{"connected":false}"#.utf8)) }
        if let frame = control["send"] {
            server.withLock { $0?.send(.text(frame.serialized), to: peer) }
        }
        if let code = control["close"]?.integerValue {
            server.withLock { $0?.close(peer, code: UInt16(clamping: code), reason: "closed by the fake provider") }
        }
        return (200, Data(#"{"connected":true}"#.utf8))
    }

    func stateJSON() -> Data {
        state.withLock { state in
            JSONValue.object(
                JSONObject([
                    "slack": .object(
                        JSONObject([
                            "connections": .integer(Int64(state.connections["slack"] ?? 0)),
                            "connected": .bool(state.peers["slack"] != nil),
                            "unacked": .integer(Int64(state.slack.unacked.count)),
                            "acked": .integer(Int64(state.slack.acked)),
                        ])),
                    "dingtalk": .object(
                        JSONObject([
                            "connections": .integer(Int64(state.connections["dingtalk"] ?? 0)),
                            "connected": .bool(state.peers["dingtalk"] != nil),
                            "unacked": .integer(Int64(state.dingtalk.unacked.count)),
                            "acked": .integer(Int64(state.dingtalk.acked)),
                            "echoes": .array(state.dingtalkEchoes.map(JSONValue.string)),
                        ])),
                    "feishu": .object(
                        JSONObject([
                            "connections": .integer(Int64(state.connections["feishu"] ?? 0)),
                            "connected": .bool(state.peers["feishu"] != nil),
                            "unacked": .integer(Int64(state.feishu.unacked.count)),
                            "acked": .integer(Int64(state.feishu.acked)),
                            "pings": .integer(Int64(state.feishuPings)),
                        ])),
                    "port": .integer(Int64(state.port)),
                    "wecom": .object(
                        JSONObject([
                            "connections": .integer(Int64(state.connections["wecom"] ?? 0)),
                            "connected": .bool(state.peers["wecom"] != nil),
                            "subscriptions": .integer(Int64(state.wecom.subscriptions)),
                            "pings": .integer(Int64(state.wecom.pings)),
                            "pending": .integer(Int64(state.wecom.pending.count)),
                            "responses": .array(state.wecom.responses),
                        ])),
                    "discord": .object(
                        JSONObject([
                            "connections": .integer(Int64(state.connections["discord"] ?? 0)),
                            "connected": .bool(state.peers["discord"] != nil),
                            "identifies": .integer(Int64(state.discord.identifies)),
                            "resumes": .integer(Int64(state.discord.resumes)),
                            "heartbeats": .integer(Int64(state.discord.heartbeats)),
                            "pending": .integer(Int64(state.discord.pending.count)),
                        ])),
                ])
            ).serialized
        }
    }

    // MARK: The sockets

    private func send(_ sends: [(String, WebSocketMessage)]) {
        for (provider, message) in sends {
            guard let peer = state.withLock({ $0.peers[provider] }) else { continue }
            server.withLock { $0?.send(message, to: peer) }
        }
    }

    private func handle(_ event: WebSocketServer.Event) {
        switch event {
        case .opened(let peer, let path, _):
            let provider = path.hasPrefix("/discord") ? "discord" : String(path.dropFirst())
            let sends = state.withLock { state -> [(String, WebSocketMessage)] in
                state.peers[provider] = peer
                state.connections[provider, default: 0] += 1
                switch provider {
                case "slack":
                    return [("slack", .text(#"{"type":"hello","num_connections":1}"#))]
                        + state.slack.pending().map { ("slack", Self.envelope($0.id, $0.payload)) }
                case "dingtalk":
                    // DingTalk does not send a robot's message again (its Stream docs: fire-and-forget): only
                    // those queued while no connection was open go out, once.
                    let waiting = state.dingtalk.pending().filter { !state.dingtalkSent.contains($0.id) }
                    state.dingtalkSent.formUnion(waiting.map(\.id))
                    return waiting.map { ("dingtalk", Self.dingtalkCallback($0.id, $0.payload)) }
                case "feishu":
                    let split = state.feishuSplit
                    return state.feishu.pending().flatMap { pending in
                        Self.feishuEvent(pending.id, pending.payload, split: split).map { ("feishu", $0) }
                    }
                case "wecom":
                    state.wecom.subscribed = false
                    return []
                case "discord":
                    state.discord.current = nil
                    let hello = #"{"op":10,"d":{"heartbeat_interval":\#(state.discord.heartbeatMilliseconds)}}"#
                    return [("discord", .text(hello))]
                default:
                    return []
                }
            }
            send(sends)
        case .received(let message, let peer):
            let provider = state.withLock { $0.peers.first { $0.value == peer }?.key }
            if provider == "feishu", let frame = try? FeishuFrame(decoding: message.bytes) {
                send(state.withLock { Self.feishuReceived(frame, state: &$0) })
                return
            }
            guard let provider, case .object(let frame)? = try? JSONParser.parse(message.bytes) else { return }
            let sends = state.withLock { state -> [(String, WebSocketMessage)] in
                switch provider {
                case "slack": Self.slackReceived(frame, state: &state)
                case "dingtalk": Self.dingtalkReceived(frame, state: &state)
                case "wecom": Self.wecomReceived(frame, state: &state)
                default: Self.discordReceived(frame, state: &state)
                }
            }
            send(sends)
        case .closed(let peer, _):
            state.withLock { state in
                for (provider, open) in state.peers where open == peer {
                    state.peers[provider] = nil
                    if provider == "discord" { state.discord.current = nil }
                }
            }
        }
    }

    private static func slackReceived(_ frame: JSONObject, state: inout State) -> [(String, WebSocketMessage)] {
        guard let id = frame["envelope_id"]?.stringValue, state.slack.unacked.removeValue(forKey: id) != nil else {
            return []
        }
        state.slack.acked += 1
        return []
    }

    private static func feishuReceived(_ frame: FeishuFrame, state: inout State) -> [(String, WebSocketMessage)] {
        switch (frame.method, frame.header("type")) {
        case (FeishuFrame.Method.control.rawValue, "ping"):
            state.feishuPings += 1
            let pong = FeishuFrame(
                service: frame.service, method: .control, headers: [FeishuFrame.Header("type", "pong")])
            return [("feishu", .binary(pong.encoded()))]
        case (FeishuFrame.Method.data.rawValue, _):
            guard let id = frame.header("message_id"), frame.payload == Data(#"{"code":200}"#.utf8),
                state.feishu.unacked.removeValue(forKey: id) != nil
            else { return [] }
            state.feishu.acked += 1
            return []
        default:
            return []
        }
    }

    /// A Feishu event as data frames: one, or two halves of it when `split`.
    private static func feishuEvent(_ id: String, _ event: JSONValue, split: Bool) -> [WebSocketMessage] {
        let payload = event.serialized
        let parts = split ? [payload.prefix(payload.count / 2), payload.dropFirst(payload.count / 2)] : [payload[...]]
        return parts.enumerated().map { index, part in
            let frame = FeishuFrame(
                sequenceID: UInt64(index + 1), logID: 7, service: 77, method: .data,
                headers: [
                    FeishuFrame.Header("type", "event"), FeishuFrame.Header("message_id", id),
                    FeishuFrame.Header("sum", "\(parts.count)"), FeishuFrame.Header("seq", "\(index)"),
                    FeishuFrame.Header("trace_id", "trace-\(id)"),
                ], payload: Data(part))
            return .binary(frame.encoded())
        }
    }

    private static func wecomReceived(_ frame: JSONObject, state: inout State) -> [(String, WebSocketMessage)] {
        guard let requestID = frame["headers"]?.objectValue?["req_id"]?.stringValue else { return [] }
        func receipt(_ code: Int64, _ message: String) -> (String, WebSocketMessage) {
            let answer = JSONObject([
                "headers": .object(JSONObject(["req_id": .string(requestID)])), "errcode": .integer(code),
                "errmsg": .string(message),
            ])
            return ("wecom", .text(JSONValue.object(answer).serialized))
        }
        switch frame["cmd"]?.stringValue {
        case "aibot_subscribe":
            state.wecom.subscriptions += 1
            guard !state.wecom.refuseSubscription,
                frame["body"]?.objectValue?["secret"]?.stringValue?.isEmpty == false
            else { return [receipt(40_001, "invalid secret")] }
            state.wecom.subscribed = true
            defer { state.wecom.pending = [] }
            return [receipt(0, "ok")] + state.wecom.pending.map { ("wecom", wecomCallback($0.requestID, $0.body)) }
        case "ping":
            state.wecom.pings += 1
            return [receipt(0, "ok")]
        case "aibot_respond_msg":
            var response = frame["body"]?.objectValue?["stream"]?.objectValue ?? JSONObject()
            response.set("req_id", .string(requestID))
            state.wecom.responses.append(.object(response))
            return state.wecom.withholdReceipts ? [] : [receipt(0, "ok")]
        default:
            return []
        }
    }

    /// A WeCom `aibot_msg_callback` frame carrying a message.
    private static func wecomCallback(_ requestID: String, _ body: JSONValue) -> WebSocketMessage {
        .text(
            JSONValue.object(
                JSONObject([
                    "cmd": .string("aibot_msg_callback"),
                    "headers": .object(JSONObject(["req_id": .string(requestID)])), "body": body,
                ])
            ).serialized)
    }

    private static func dingtalkReceived(_ frame: JSONObject, state: inout State) -> [(String, WebSocketMessage)] {
        guard let id = frame["headers"]?.objectValue?["messageId"]?.stringValue else { return [] }
        if state.dingtalk.unacked.removeValue(forKey: id) != nil {
            state.dingtalk.acked += 1
        } else {
            state.dingtalkEchoes.append(frame["data"]?.stringValue ?? "")
        }
        return []
    }

    private static func discordReceived(_ frame: JSONObject, state: inout State) -> [(String, WebSocketMessage)] {
        let data = frame["d"]?.objectValue
        switch frame["op"]?.integerValue {
        case 1:
            state.discord.heartbeats += 1
            return state.discord.ackHeartbeats ? [("discord", .text(#"{"op":11}"#))] : []
        case 2:
            state.discord.identifies += 1
            let session = "session-\(state.discord.nextSession)"
            state.discord.nextSession += 1
            state.discord.sessions[session] = DiscordSessionLog()
            state.discord.current = session
            let ready = JSONValue.object(
                JSONObject([
                    "session_id": .string(session),
                    "resume_gateway_url": .string("ws://127.0.0.1:\(state.port)/discord-resume"),
                    "application": .object(JSONObject(["id": .string(discordApplicationID)])),
                ]))
            var sends = [("discord", dispatch(ready, named: "READY", in: session, state: &state))]
            sends += flushPending(in: session, state: &state)
            return sends
        case 6:
            state.discord.resumes += 1
            guard let session = data?["session_id"]?.stringValue, let after = data?["seq"]?.integerValue,
                !state.discord.forgetSessions, let log = state.discord.sessions[session]
            else {
                return [("discord", .text(#"{"op":9,"d":false}"#))]
            }
            state.discord.current = session
            var sends = log.dispatched.filter { $0.sequence > after }.map {
                ("discord", WebSocketMessage.text($0.frame.serialized))
            }
            sends.append(("discord", dispatch(.object(JSONObject()), named: "RESUMED", in: session, state: &state)))
            sends += flushPending(in: session, state: &state)
            return sends
        default:
            return []
        }
    }

    private static func flushPending(in session: String, state: inout State) -> [(String, WebSocketMessage)] {
        defer { state.discord.pending = [] }
        return state.discord.pending.map { ("discord", dispatch($0, in: session, state: &state)) }
    }

    /// A dispatch with the session's next sequence number, logged for replay.
    private static func dispatch(
        _ data: JSONValue, named name: String = "MESSAGE_CREATE", in session: String, state: inout State
    ) -> WebSocketMessage {
        var log = state.discord.sessions[session] ?? DiscordSessionLog()
        log.sequence += 1
        let frame = JSONValue.object(
            JSONObject(["op": .integer(0), "t": .string(name), "s": .integer(log.sequence), "d": data]))
        log.dispatched.append((log.sequence, frame))
        state.discord.sessions[session] = log
        return .text(frame.serialized)
    }

    /// A DingTalk `CALLBACK` frame carrying a robot's received message as its data.
    private static func dingtalkCallback(_ id: String, _ message: JSONValue) -> WebSocketMessage {
        .text(
            JSONValue.object(
                JSONObject([
                    "specVersion": .string("1.0"), "type": .string("CALLBACK"),
                    "headers": .object(
                        JSONObject([
                            "topic": .string("/v1.0/im/bot/messages/get"), "messageId": .string(id),
                            "contentType": .string("application/json"),
                        ])),
                    "data": .string(String(decoding: message.serialized, as: UTF8.self)),
                ])
            ).serialized)
    }

    private static func envelope(_ id: String, _ payload: JSONValue) -> WebSocketMessage {
        .text(
            JSONValue.object(
                JSONObject([
                    "envelope_id": .string(id), "type": .string("events_api"), "payload": payload,
                    "accepts_response_payload": .bool(false),
                ])
            ).serialized)
    }
}
