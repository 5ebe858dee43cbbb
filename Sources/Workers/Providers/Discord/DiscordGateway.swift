import Enqueuer
import Foundation
import HTTPClient
import JSON
import Synchronization
import WebSocket

/// The Discord Gateway (API v10, JSON): `GET /gateway/bot` hands out its address; the bot identifies
/// with its token and intents after HELLO and heartbeats at the interval HELLO gives. Discord has no
/// acknowledgement per event: the position (session, resume address, sequence number) is recorded with
/// the events it covers, and a new connection resumes from it, so Discord replays what came after and
/// dedupe absorbs what was recorded already.
struct DiscordGateway: SocketMode {
    static let settingNames = ["intents"]
    static let requiredSettings = [String]()
    static let publicSettings = ["intents"]

    static func settingProblem(_ name: String, _ value: String) -> String? {
        guard name == "intents" else { return nil }
        return Int64(value).map { $0 >= 0 } == true ? nil : "must be a whole number (the Gateway intents bits)"
    }
    /// GUILDS, GUILD_MESSAGES, DIRECT_MESSAGES and MESSAGE_CONTENT (privileged).
    static let defaultIntents: Int64 = 37377
    let provider = Provider.discord
    /// The Gateway's own heartbeat checks liveness.
    let keepalive: WebSocketKeepalive? = nil
    let settings: ProviderSettings
    private let http: HTTPClient

    init(settings: ProviderSettings, http: HTTPClient) {
        self.settings = settings
        self.http = http
    }

    /// A bot token's first part is the bot's user id in base64: it names the stream.
    static func stream(of settings: ProviderSettings) -> String {
        let token = settings.credential("bot_token")
        let first = token.split(separator: ".").first.map(String.init) ?? ""
        let padded = first + String(repeating: "=", count: (4 - first.count % 4) % 4)
        let id = Data(base64Encoded: padded).map { String(decoding: $0, as: UTF8.self) }
        return StreamName.of(
            "discord", credential: token, publicPart: id.flatMap { $0.allSatisfy(\.isNumber) ? $0 : nil })
    }

    func connect(from position: String?) async throws(ReceiveError) -> (url: String, session: any SocketSession) {
        // The configuration refused intents that are not a whole number (`settingProblem`).
        let intents = settings.credentials["intents"].flatMap { Int64($0) } ?? Self.defaultIntents
        let identity = DiscordIdentity(token: settings.credential("bot_token"), intents: intents)
        if let resume = position.flatMap(DiscordPosition.init(json:)) {
            return (Self.gatewayURL(resume.resumeURL), DiscordSession(identity: identity, resuming: resume))
        }
        let response: HTTPResponse
        do {
            response = try await http.send(
                HTTPRequest(
                    .get, settings.url(.discordGatewayBot),
                    headers: [("Authorization", "Bot \(identity.token)")]))
        } catch {
            throw .transient("discord gateway/bot: \(error)")
        }
        switch response.status {
        case 200:
            break
        case 401, 403:
            throw .fatal("Discord refused providers.discord.bot_token (HTTP \(response.status) from gateway/bot)")
        case 429:
            throw .transient(
                "discord gateway/bot is rate-limited",
                retryAfter: .providerWait(response.retryAfterSeconds, otherwise: .seconds(5)))
        default:
            throw .transient("discord gateway/bot answered HTTP \(response.status)")
        }
        guard case .object(let answer)? = try? JSONParser.parse(response.body), let url = answer["url"]?.stringValue
        else {
            throw .transient("discord gateway/bot answered without a url")
        }
        if let limit = answer["session_start_limit"]?.objectValue, limit["remaining"]?.integerValue == 0 {
            // Identifying past the day's limit would make Discord reset the token.
            throw .transient(
                "Discord's IDENTIFY limit for the day is used up",
                retryAfter: .milliseconds(max(limit["reset_after"]?.integerValue ?? 60_000, 1_000)))
        }
        return (Self.gatewayURL(url), DiscordSession(identity: identity, resuming: nil))
    }

    /// The Gateway address with the version and encoding Switchboard speaks.
    private static func gatewayURL(_ base: String) -> String {
        (base.hasSuffix("/") ? base : base + "/") + "?v=10&encoding=json"
    }
}

/// What the bot identifies with.
package struct DiscordIdentity: Sendable {
    var token: String
    var intents: Int64

    package init(token: String, intents: Int64) {
        self.token = token
        self.intents = intents
    }
}

/// Where a Gateway session is: what resuming it needs, and the bot's application id (which scopes the
/// dedupe keys of direct messages). Stored as the stream's position.
package struct DiscordPosition: Sendable, Equatable {
    package var sessionID: String
    package var resumeURL: String
    package var sequence: Int64
    package var applicationID: String?

    package init(sessionID: String, resumeURL: String, sequence: Int64, applicationID: String?) {
        self.sessionID = sessionID
        self.resumeURL = resumeURL
        self.sequence = sequence
        self.applicationID = applicationID
    }

    /// Reads a stored position; nil for none (empty: the session was invalidated) or a malformed one.
    package init?(json: String) {
        guard case .object(let object)? = try? JSONParser.parse(Data(json.utf8)),
            let session = object["session_id"]?.stringValue, let url = object["resume_gateway_url"]?.stringValue,
            let sequence = object["seq"]?.integerValue
        else { return nil }
        self.init(
            sessionID: session, resumeURL: url, sequence: sequence,
            applicationID: object["application_id"]?.stringValue)
    }

    var json: String {
        var object = JSONObject([
            "session_id": .string(sessionID), "resume_gateway_url": .string(resumeURL), "seq": .integer(sequence),
        ])
        object.set("application_id", applicationID.map(JSONValue.string))
        return String(decoding: JSONValue.object(object).serialized, as: UTF8.self)
    }
}

/// One Gateway connection: HELLO, IDENTIFY or RESUME, heartbeats, dispatches.
package final class DiscordSession: SocketSession {
    private struct State {
        var position: DiscordPosition?
        /// The last sequence number seen, before a session exists too.
        var sequence: Int64?
        var heartbeatAnswered = true
    }

    private let identity: DiscordIdentity
    private let resuming: Bool
    private let state: Mutex<State>

    package init(identity: DiscordIdentity, resuming position: DiscordPosition?) {
        self.identity = identity
        resuming = position != nil
        state = Mutex(State(position: position, sequence: position?.sequence))
    }

    package func read(_ message: WebSocketMessage) -> [SocketInput] {
        guard !message.isBinary, case .object(let frame)? = try? JSONParser.parse(message.bytes),
            let op = frame["op"]?.integerValue
        else { return [] }
        switch op {
        case 0:
            return dispatch(frame)
        case 1:
            return [.send([heartbeatFrame()])]
        case 7:
            return [.reconnect("Discord asked for a new connection (op 7 RECONNECT)", after: nil)]
        case 9:
            if frame["d"] == .bool(true) {
                return [.reconnect("Discord invalidated the session, resumable (op 9)", after: nil)]
            }
            return forgetSession("Discord invalidated the session (op 9): identifying again")
        case 10:
            guard let interval = frame["d"]?.objectValue?["heartbeat_interval"]?.integerValue, interval > 0 else {
                return [.reconnect("Discord's HELLO carried no heartbeat interval", after: nil)]
            }
            let start = state.withLock { state -> WebSocketMessage in
                state.heartbeatAnswered = false
                return heartbeatFrame(sequence: state.sequence)
            }
            return [.heartbeat(every: .milliseconds(interval), first: [start, greeting()])]
        case 11:
            state.withLock { $0.heartbeatAnswered = true }
            return []
        default:
            return []
        }
    }

    package func beat() -> WebSocketMessage? {
        state.withLock { state in
            guard state.heartbeatAnswered else { return nil }
            state.heartbeatAnswered = false
            return heartbeatFrame(sequence: state.sequence)
        }
    }

    package func closed(_ closure: WebSocketClosure) -> [SocketInput] {
        let fatal: String
        switch closure.code {
        case 4004:
            fatal = "Discord refused providers.discord.bot_token (close code 4004, authentication failed)"
        case 4010, 4011:
            fatal =
                "Discord requires sharding for this bot (close code \(closure.code ?? 0)): it is in too many guilds "
                + "for one Gateway connection, which is all `receive` opens"
        case 4012:
            fatal = "Discord refused the Gateway version (close code 4012)"
        case 4013:
            fatal = "Discord refused providers.discord.intents (close code 4013, invalid intents)"
        case 4014:
            fatal =
                "Discord refused a privileged intent (close code 4014): switch Message Content on for the bot in "
                + "the Developer Portal, or leave it out of providers.discord.intents"
        case 4007, 4009:
            // An invalid sequence number or a timed-out session cannot be resumed.
            return forgetSession("Discord ended the session (close code \(closure.code ?? 0)): identifying again")
        default:
            return []
        }
        return [.stop(.fatal(fatal))]
    }

    /// Forgets the session, so the next connection identifies instead of resuming.
    private func forgetSession(_ reason: String) -> [SocketInput] {
        state.withLock { $0.position = nil }
        return [.record([], acks: [], position: ""), .reconnect(reason, after: nil)]
    }

    /// A dispatch: its sequence number moves the position; READY starts a session; a message is recorded
    /// with the position after it.
    private func dispatch(_ frame: JSONObject) -> [SocketInput] {
        let sequence = frame["s"]?.integerValue
        let name = frame["t"]?.stringValue
        let data = frame["d"]?.objectValue
        return state.withLock { state -> [SocketInput] in
            if let sequence { state.sequence = sequence }
            if name == "READY", let data, let session = data["session_id"]?.stringValue,
                let resume = data["resume_gateway_url"]?.stringValue
            {
                state.position = DiscordPosition(
                    sessionID: session, resumeURL: resume, sequence: state.sequence ?? 0,
                    applicationID: data["application"]?.objectValue?["id"]?.stringValue)
                return [.record([], acks: [], position: state.position?.json)]
            }
            state.position?.sequence = state.sequence ?? 0
            guard name == "MESSAGE_CREATE" else { return [] }
            var body = frame
            if let application = state.position?.applicationID {
                body.set("application_id", .string(application))
            }
            return [
                .record(
                    [Delivery(provider: .discord, body: JSONValue.object(body).serialized)], acks: [],
                    position: state.position?.json)
            ]
        }
    }

    /// IDENTIFY, or RESUME for a session that has a position.
    private func greeting() -> WebSocketMessage {
        let position = state.withLock { $0.position }
        let frame: JSONValue
        if resuming, let position {
            frame = .object(
                JSONObject([
                    "op": .integer(6),
                    "d": .object(
                        JSONObject([
                            "token": .string(identity.token), "session_id": .string(position.sessionID),
                            "seq": .integer(position.sequence),
                        ])),
                ]))
        } else {
            frame = .object(
                JSONObject([
                    "op": .integer(2),
                    "d": .object(
                        JSONObject([
                            "token": .string(identity.token), "intents": .integer(identity.intents),
                            "properties": .object(
                                JSONObject([
                                    "os": .string("linux"), "browser": .string("switchboard"),
                                    "device": .string("switchboard"),
                                ])),
                        ])),
                ]))
        }
        return .text(frame.serialized)
    }

    private func heartbeatFrame() -> WebSocketMessage {
        heartbeatFrame(sequence: state.withLock { $0.sequence })
    }

    private func heartbeatFrame(sequence: Int64?) -> WebSocketMessage {
        .text(
            JSONValue.object(JSONObject(["op": .integer(1), "d": sequence.map(JSONValue.integer) ?? .null]))
                .serialized)
    }
}
