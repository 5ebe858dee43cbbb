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
    /// The provider's id of a message sent before whose text this one replaces (an edit), or nil for a
    /// new message.
    public var replacing: String?
    /// A live reply's text while the agent still writes (never a delivery job's, which is final): a
    /// provider that marks a message finished (WeCom's stream) leaves it open.
    public var isDraft = false
    /// A file of the agent's answer to send, with `text` as its caption (empty for none); nil for a text
    /// message.
    public var file: OutboundFile?

    public init(
        provider: Provider, target: ReplyTarget, text: String, part: Int, parts: Int, turnID: Int64,
        replacing: String? = nil
    ) {
        self.provider = provider
        self.target = target
        self.text = text
        self.part = part
        self.parts = parts
        self.turnID = turnID
        self.replacing = replacing
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
        var object = JSONObject([
            "provider": .string(provider.rawValue), "target": target.json, "text": .string(text),
            "part": .integer(Int64(part)), "parts": .integer(Int64(parts)), "turn_id": .integer(turnID),
        ])
        object.set("replacing", replacing.map(JSONValue.string))
        object.set("file", file?.json)
        return JSONValue.object(object).serialized
    }

    /// Reads a `chat.deliver` payload.
    /// - Throws: `JSONSyntaxError`, or `JSONFieldError` naming the field, when the payload is not one
    ///   Switchboard wrote.
    public init(payload: Data) throws {
        let fields = try JSONFields(root: JSONParser.parse(payload))
        guard let provider = Provider(rawValue: try fields.string("provider")) else {
            throw fields.error("provider", "is not a known provider")
        }
        self.init(
            provider: provider, target: try ReplyTarget(json: fields.object("target")), text: try fields.string("text"),
            part: Int(try fields.integer("part")), parts: Int(try fields.integer("parts")),
            turnID: try fields.integer("turn_id"), replacing: try fields.optionalString("replacing")
        )
        file = try fields.optionalObject("file").map { fields throws(JSONFieldError) in try OutboundFile(json: fields) }
    }
}
