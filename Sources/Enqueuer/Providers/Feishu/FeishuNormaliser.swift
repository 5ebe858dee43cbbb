import Foundation
import JSON
import Queue

/// Feishu / Lark: an `im.message.receive_v1` event in the 2.0 schema, already decrypted.
///
/// The workspace is the chat; the message id is `event.message.message_id` (`om_...`). The text sits
/// inside `content`, itself a JSON string.
struct FeishuNormaliser: ProviderNormaliser {
    func normalise(_ body: JSONFields, receivedAt: Timestamp) throws(JSONFieldError) -> Normalised {
        if try body.optionalString("type") == "url_verification" {
            return .verification(challenge: try body.text("challenge"))
        }
        if body.has("encrypt") {
            throw body.error("encrypt", "is an encrypted body: decrypt it with the app's encrypt key before intake")
        }
        let schema = try body.string("schema")
        guard schema == "2.0" else { throw body.error("schema", "must be \"2.0\"") }
        let header = try body.object("header")
        let eventType = try header.string("event_type")
        guard eventType == "im.message.receive_v1" else { return .ignored(reason: "event type \(eventType)") }
        let eventID = try header.text("event_id")
        let event = try body.object("event")
        let sender = try event.object("sender")
        if try sender.optionalString("sender_type") == "app" {
            return .ignored(reason: "message from a bot")
        }
        let senderID = try sender.object("sender_id").text("open_id")
        let message = try event.object("message")
        let messageID = try message.text("message_id")
        let chatID = try message.text("chat_id")
        let chatType = try message.string("chat_type")
        let messageType = try message.string("message_type")
        guard messageType == "text" else { return .ignored(reason: "message type \(messageType)") }
        let text = try Self.text(of: message)
        guard !text.isEmpty else { return .ignored(reason: "message has no text") }
        let thread = try message.optionalString("thread_id")
        return .message(
            InboundEvent(
                provider: .feishu,
                workspaceID: chatID,
                conversationID: chatID,
                threadID: thread,
                senderID: senderID,
                isDirect: chatType == "p2p",
                text: text,
                messageID: messageID,
                eventID: eventID,
                replyTarget: ReplyTarget(chat: chatID, message: messageID, thread: thread),
                receivedAt: receivedAt
            )
        )
    }

    /// The `text` member of the JSON object encoded in `content`.
    private static func text(of message: JSONFields) throws(JSONFieldError) -> String {
        let content = try message.string("content")
        guard case .object(let object)? = try? JSONParser.parse(Data(content.utf8)) else {
            throw message.error("content", "must be a JSON object encoded as a string")
        }
        return try JSONFields(object, path: message.path(of: "content")).string("text")
    }
}
