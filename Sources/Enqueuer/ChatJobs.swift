import Foundation
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

    /// Reads a turn's or link job's payload.
    /// - Throws: `IntakeRejection` naming the field when the payload is not one Switchboard wrote.
    public static func decode(_ payload: Data) throws -> (event: InboundEvent, codeDigest: Data?) {
        guard case .object(let object) = try JSONParser.parse(payload), case .object(let event)? = object["event"] else {
            throw IntakeRejection(provider: .telegram, field: "event", problem: "is missing from the job payload")
        }
        let digest: Data?
        if case .string(let text)? = object["code_digest"] {
            digest = Data(base64Encoded: text)
        } else {
            digest = nil
        }
        return (try InboundEvent(json: event), digest)
    }
}

extension ReplyTarget {
    /// This target as a JSON object, for job payloads.
    public var json: JSONValue {
        var target = JSONObject(["chat": .string(chat)])
        target.set("message", message.map(JSONValue.string))
        target.set("thread", thread.map(JSONValue.string))
        target.set("user", user.map(JSONValue.string))
        target.set("bot", bot.map(JSONValue.string))
        target.set("context", context.map(JSONValue.string))
        return .object(target)
    }

    /// Reads a target written by `json`.
    public init(json object: JSONObject, provider: Provider) throws(IntakeRejection) {
        let target = PayloadFields(object, path: "reply_target", provider: provider)
        self.init(
            chat: try target.string("chat"),
            message: try target.optionalString("message"),
            thread: try target.optionalString("thread"),
            user: try target.optionalString("user"),
            bot: try target.optionalString("bot"),
            context: try target.optionalString("context")
        )
    }
}

extension InboundEvent {
    /// This event as a JSON object, for job payloads.
    public var json: JSONValue {
        var object = JSONObject([
            "provider": .string(provider.rawValue),
            "conversation_id": .string(conversationID),
            "sender_id": .string(senderID),
            "is_direct": .bool(isDirect),
            "text": .string(text),
            "reply_target": replyTarget.json,
            "received_at": .integer(receivedAt.millisecondsSince1970),
        ])
        object.set("workspace_id", workspaceID.map(JSONValue.string))
        object.set("thread_id", threadID.map(JSONValue.string))
        object.set("message_id", messageID.map(JSONValue.string))
        object.set("event_id", eventID.map(JSONValue.string))
        return .object(object)
    }

    /// Reads an event written by `json`.
    public init(json object: JSONObject) throws(IntakeRejection) {
        guard case .string(let name)? = object["provider"], let provider = Provider(rawValue: name) else {
            throw IntakeRejection(provider: .telegram, field: "event.provider", problem: "is not a known provider")
        }
        let fields = PayloadFields(object, path: "event", provider: provider)
        self.init(
            provider: provider,
            workspaceID: try fields.optionalString("workspace_id"),
            conversationID: try fields.string("conversation_id"),
            threadID: try fields.optionalString("thread_id"),
            senderID: try fields.string("sender_id"),
            isDirect: try fields.optionalBool("is_direct") ?? false,
            text: try fields.string("text"),
            messageID: try fields.optionalString("message_id"),
            eventID: try fields.optionalString("event_id"),
            replyTarget: try ReplyTarget(json: fields.object("reply_target").object, provider: provider),
            receivedAt: Timestamp(millisecondsSince1970: try fields.integer("received_at"))
        )
    }
}
