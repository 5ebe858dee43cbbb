import Foundation
import JSON
import Synchronization
import WebSocket

/// The fake provider's socket side: Slack Socket Mode and the Discord Gateway on a loopback WebSocket
/// server, scripted over the fake's HTTP side.
///
/// - `POST /_fake/socket/events` `{"slack": [events_api payload, ...], "discord": [MESSAGE_CREATE d, ...]}`
///   queues events: each goes to the provider's open connection, or to the next one. A Slack envelope
///   stays queued until acknowledged and is sent again on every new connection, as Slack retries; a
///   Discord dispatch gets the session's next sequence number and is replayed to a RESUME after an
///   earlier one.
/// - `POST /_fake/socket/control` `{"provider": P, "close": CODE}` closes the open connection with a code;
///   `"send": frame` sends a raw frame; for Discord,
///   `"ack_heartbeats": false` stops answering heartbeats (a zombie connection), `"heartbeat_ms": N` sets
///   HELLO's interval (default 1000) and `"forget_sessions": true` makes every RESUME fail with op 9.
/// - `GET /_fake/socket/state`: connections, acknowledged envelopes, identifies, resumes, heartbeats.
package final class FakeSockets: Sendable {
    private struct Slack {
        var unacked: [(id: String, payload: JSONValue)] = []
        var acked: [String] = []
        var nextEnvelope = 1
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

    private struct State {
        var port: UInt16 = 0
        var peers: [String: WebSocketServer.Peer] = [:]
        var connections: [String: Int] = [:]
        var slack = Slack()
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
                state.slack.unacked.append((id, payload))
                if state.peers["slack"] != nil { sends.append(("slack", Self.envelope(id, payload))) }
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
                            "acked": .array(state.slack.acked.map(JSONValue.string)),
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
                        + state.slack.unacked.map { ("slack", Self.envelope($0.id, $0.payload)) }
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
            guard let provider, case .object(let frame)? = try? JSONParser.parse(message.bytes) else { return }
            let sends = state.withLock { state -> [(String, WebSocketMessage)] in
                provider == "slack"
                    ? Self.slackReceived(frame, state: &state) : Self.discordReceived(frame, state: &state)
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
        guard let id = frame["envelope_id"]?.stringValue else { return [] }
        state.slack.unacked.removeAll { $0.id == id }
        state.slack.acked.append(id)
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
