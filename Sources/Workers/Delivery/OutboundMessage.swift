import Enqueuer
import Foundation
import JSON

/// One chunk of a reply to deliver: the payload of a `chat.deliver` job.
public struct OutboundMessage: Sendable, Equatable {
    public var provider: Provider
    public var target: ReplyTarget
    public var text: String
    /// Which chunk this is (from 1) and of how many.
    public var part: Int
    public var parts: Int
    /// The turn the reply answers; with `part`, it names the message for providers that dedupe sends.
    public var turnID: Int64

    public init(provider: Provider, target: ReplyTarget, text: String, part: Int, parts: Int, turnID: Int64) {
        self.provider = provider
        self.target = target
        self.text = text
        self.part = part
        self.parts = parts
        self.turnID = turnID
    }

    /// A stable id for this chunk, so a resend after a timeout is recognisable (Discord's `nonce`,
    /// WeChat's `client_id`): at most 25 characters.
    public var nonce: String {
        "sb\(turnID)p\(part)"
    }

    /// Only the first chunk quotes the message it answers.
    public var repliesToMessage: String? {
        part == 1 ? target.message : nil
    }

    public var payload: Data {
        JSONValue.object(JSONObject([
            "provider": .string(provider.rawValue), "target": target.json, "text": .string(text),
            "part": .integer(Int64(part)), "parts": .integer(Int64(parts)), "turn_id": .integer(turnID),
        ])).serialized
    }

    /// Reads a `chat.deliver` payload.
    public init(payload: Data) throws {
        guard case .object(let object) = try JSONParser.parse(payload),
            case .string(let name)? = object["provider"], let provider = Provider(rawValue: name),
            case .object(let target)? = object["target"], case .string(let text)? = object["text"],
            case .integer(let part)? = object["part"], case .integer(let parts)? = object["parts"],
            case .integer(let turnID)? = object["turn_id"]
        else {
            throw DeliveryPayloadError()
        }
        self.init(
            provider: provider, target: try ReplyTarget(json: target, provider: provider), text: text, part: Int(part),
            parts: Int(parts), turnID: turnID
        )
    }
}

/// A delivery job whose payload Switchboard did not write.
struct DeliveryPayloadError: Error, CustomStringConvertible {
    var description: String { "delivery payload is not an outbound message" }
}
