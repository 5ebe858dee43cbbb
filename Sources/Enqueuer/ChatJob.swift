import Foundation
import JSON
import Queue

/// The kinds of chat jobs, and their payloads as JSON.
public enum ChatJob {
    /// Answer an inbound message.
    public static let turn = "chat.turn"
    /// Consume a connect code from an inbound `/connect CODE` and answer.
    public static let link = "chat.link"
    /// Send one chunk of a reply to the provider.
    public static let deliver = "chat.deliver"
    /// Tell the user a turn or link job was dead-lettered: enqueued by the store with the job's payload.
    public static let failed = "chat.failed"
    /// Every chat kind: what a chat worker claims.
    public static let kinds = [turn, link, deliver, failed]

    /// A turn's payload: the inbound event.
    public static func turnPayload(_ event: InboundEvent) -> Data {
        JSONValue.object(JSONObject(["event": event.json])).serialized
    }

    /// A link job's payload: the event with the code taken out of its text, and the code's digest
    /// (nil when the text held no well-formed code). The code itself is never stored.
    public static func linkPayload(_ event: InboundEvent, codeDigest: Data?) -> Data {
        var object = JSONObject(["event": event.json])
        object.set("code_digest", codeDigest.map { .string($0.base64EncodedString()) })
        return JSONValue.object(object).serialized
    }

    /// `payload` as an operator is shown it: a chat job's attachment keys (WeCom's and WeChat's media
    /// keys, which decrypt the user's files) masked; any other payload as it is.
    public static func displayable(_ payload: Data) -> Data {
        guard case .object(var root)? = try? JSONParser.parse(payload), case .object(var event)? = root["event"],
            case .array(let attachments)? = event["attachments"]
        else { return payload }
        event.set(
            "attachments",
            .array(
                attachments.map { attachment in
                    guard case .object(var fields) = attachment, fields["key"] != nil else { return attachment }
                    fields.set("key", .string("***"))
                    return .object(fields)
                }))
        root.set("event", .object(event))
        return JSONValue.object(root).serialized
    }

    /// Reads a turn's or link job's payload.
    /// - Throws: `JSONSyntaxError`, or `JSONFieldError` naming the field, when the payload is not one
    ///   Switchboard wrote.
    public static func decode(_ payload: Data) throws -> (event: InboundEvent, codeDigest: Data?) {
        let fields = try JSONFields(root: JSONParser.parse(payload))
        let digest = try fields.optionalString("code_digest").map { text throws(JSONFieldError) in
            guard let digest = Data(base64Encoded: text) else { throw fields.error("code_digest", "is not base64") }
            return digest
        }
        return (try InboundEvent(json: fields.object("event")), digest)
    }
}
