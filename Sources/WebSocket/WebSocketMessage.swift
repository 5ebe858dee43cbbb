import Foundation

/// One WebSocket message, reassembled from its frames: text (UTF-8) or binary.
public struct WebSocketMessage: Sendable, Equatable {
    /// Whether it travels in binary frames (protobuf, say) rather than text frames.
    public var isBinary: Bool
    public var bytes: Data

    public init(isBinary: Bool, bytes: Data) {
        self.isBinary = isBinary
        self.bytes = bytes
    }

    /// A text message.
    public static func text(_ text: String) -> WebSocketMessage {
        WebSocketMessage(isBinary: false, bytes: Data(text.utf8))
    }

    /// A text message of bytes already encoded as UTF-8 (serialised JSON).
    public static func text(_ bytes: Data) -> WebSocketMessage {
        WebSocketMessage(isBinary: false, bytes: bytes)
    }

    /// A binary message.
    public static func binary(_ bytes: Data) -> WebSocketMessage {
        WebSocketMessage(isBinary: true, bytes: bytes)
    }
}

/// How a WebSocket connection ended.
public struct WebSocketClosure: Sendable, Equatable, CustomStringConvertible {
    /// The close code of the side that closed first; nil when the connection dropped without a close
    /// frame (a reset, a hang-up because the peer went silent).
    public var code: UInt16?
    /// The reason sent with the code, or what went wrong.
    public var reason: String
    /// Whether this side closed it (`WebSocketConnection.close`).
    public var byUs: Bool

    public init(code: UInt16?, reason: String, byUs: Bool) {
        self.code = code
        self.reason = reason
        self.byUs = byUs
    }

    public var description: String {
        let who = byUs ? "closed by us" : "closed by the peer"
        guard let code else { return "dropped without a close frame" + (reason.isEmpty ? "" : ": \(reason)") }
        return "\(who) with code \(code)" + (reason.isEmpty ? "" : " (\(reason))")
    }
}

/// Why a WebSocket connection could not be opened.
public struct WebSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The address it was opening, without its query (which may carry a ticket).
    public var address: String
    public var detail: String

    public var description: String { "WebSocket \(address): \(detail)" }
}
