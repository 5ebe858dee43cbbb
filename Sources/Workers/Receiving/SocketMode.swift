import Enqueuer
import Foundation
import HTTPClient
import WebSocket

/// A provider's socket mode: the connection a bot opens to the provider to receive its events without a
/// public URL (Slack Socket Mode, the Discord Gateway).
///
/// A mode asks the provider for a socket (the HTTPS call that hands one out goes to the provider's
/// `base_url`, like sends) and returns a `SocketSession` that speaks on it; `SocketReceiver` does the
/// rest (the hold across the fleet, recording, acknowledging, reconnecting).
package protocol SocketMode: Sendable {
    /// The settings it reads besides the API's credentials (`app_token`, `intents`), each a key of
    /// `providers.P`.
    static var settingNames: [String] { get }
    /// Those of `settingNames` it cannot connect without.
    static var requiredSettings: [String] { get }
    /// Those of `settingNames` that are no secret (an address, intents): left unmasked in logs.
    static var publicSettings: [String] { get }
    /// What is wrong with `value` for the setting `name`, checked when the configuration is read; nil
    /// when nothing is.
    static func settingProblem(_ name: String, _ value: String) -> String?
    /// Whether the bot's replies go out over this socket (WeCom's AI bot), queued in the database by the
    /// workers (`ChatStore.queueSocketSend`) and sent by the process holding the stream.
    static var repliesOverSocket: Bool { get }
    /// Names the stream of the bot `settings` configure in the database (its hold, its position, the
    /// replies queued for its socket): the provider and which bot, never a credential.
    static func stream(of settings: ProviderSettings) -> String
    init(settings: ProviderSettings, http: HTTPClient)
    var provider: Provider { get }
    /// The settings it was made with.
    var settings: ProviderSettings { get }
    /// WebSocket pings on an idle connection, for providers whose liveness check is the socket's own.
    var keepalive: WebSocketKeepalive? { get }
    /// Asks the provider for a socket, resuming from `position` (what the last session recorded) where the
    /// provider can; the URL to open and the session that speaks on it.
    func connect(from position: String?) async throws(ReceiveError) -> (url: String, session: any SocketSession)
}

extension SocketMode {
    package static var repliesOverSocket: Bool { false }

    package static var publicSettings: [String] { [] }

    package static func settingProblem(_ name: String, _ value: String) -> String? { nil }

    /// The bot's stream (`stream(of:)` of its settings).
    package var stream: String { Self.stream(of: settings) }
}

/// One connection's protocol: reads each message the provider sends and says what to do with it.
package protocol SocketSession: Sendable {
    /// What to do once the socket is open, before anything arrives (a heartbeat the client starts).
    func opened() -> [SocketInput]
    /// What to do about `message`, in order (often nothing).
    func read(_ message: WebSocketMessage) -> [SocketInput]
    /// The session's own heartbeat, once `SocketInput.heartbeat` started it: the frame to send, or nil
    /// when the last one went unanswered (the connection is a zombie and is dropped).
    func beat() -> WebSocketMessage?
    /// What the provider closing the socket means: nothing (connect again), a position to forget, or why
    /// receiving must stop.
    func closed(_ closure: WebSocketClosure) -> [SocketInput]
    /// The key a queued reply frame's receipt comes back with (WeCom's `req_id`), for providers that
    /// answer over the socket.
    func receiptKey(of frame: String) -> String?
}

extension SocketSession {
    package func opened() -> [SocketInput] { [] }

    package func beat() -> WebSocketMessage? { nil }

    package func closed(_ closure: WebSocketClosure) -> [SocketInput] { [] }

    package func receiptKey(of frame: String) -> String? { nil }
}

/// What the receiver does with a message a session read.
package enum SocketInput: Sendable {
    /// Records these deliveries (and the stream's position after them, in the same transaction); once
    /// that transaction has committed, sends `acks`.
    case record([Delivery], acks: [WebSocketMessage], position: String?)
    /// Sends these now (an answer to the provider's ping, an identification).
    case send([WebSocketMessage])
    /// Sends `first` now and the session's `beat()` every `interval` from then on.
    case heartbeat(every: Duration, first: [WebSocketMessage])
    /// The provider asks for a new connection (it is about to drop this one, or the session is stale),
    /// after `after` where it asked for a pause.
    case reconnect(String, after: Duration?)
    /// Receiving cannot go on until an operator acts.
    case stop(ReceiveError)
    /// The provider accepted the connection (WeCom's subscription): queued replies may go out now.
    case ready
    /// The provider's receipt for the reply frame sent with `key`; `failure` says why it refused it.
    case receipt(key: String, failure: String?)
}

/// Why receiving failed.
public struct ReceiveError: Error, Sendable, CustomStringConvertible {
    /// Receiving cannot go on until an operator acts (a credential was refused, the socket mode is off);
    /// otherwise the receiver connects again after a pause.
    public let isFatal: Bool
    public let description: String
    /// How long the provider asked to wait before trying again.
    public var retryAfter: Duration?

    package static func fatal(_ description: String) -> ReceiveError {
        ReceiveError(isFatal: true, description: description)
    }

    package static func transient(_ description: String, retryAfter: Duration? = nil) -> ReceiveError {
        ReceiveError(isFatal: false, description: description, retryAfter: retryAfter)
    }
}
