import Foundation
import JSON
import Queue

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
        object.set("receiving_bot", receivingBot.map(JSONValue.string))
        if !attachments.isEmpty {
            object.set("attachments", .array(attachments.map(\.json)))
        }
        return .object(object)
    }

    /// Reads an event written by `json`.
    public init(json fields: JSONFields) throws(JSONFieldError) {
        guard let provider = Provider(rawValue: try fields.string("provider")) else {
            throw fields.error("provider", "is not a known provider")
        }
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
            replyTarget: try ReplyTarget(json: fields.object("reply_target")),
            receivedAt: Timestamp(millisecondsSince1970: try fields.integer("received_at")),
            receivingBot: try fields.optionalString("receiving_bot")
        )
        let attachments = try fields.optionalArray("attachments") ?? []
        self.attachments = try attachments.indices.map { index throws(JSONFieldError) in
            try InboundAttachment(json: fields.element("attachments", index, of: attachments))
        }
    }
}
