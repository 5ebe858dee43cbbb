import JSON
import Queue

/// Telegram: an `Update` carrying a `message`, `edited_message` or `channel_post`.
///
/// The workspace is the chat (`message_id` is unique per chat). An edit keeps its message's id, so its
/// dedupe id is the message id with the server's `edit_date`: a redelivered edit is a duplicate, a
/// second edit is not.
///
/// A message with `sender_chat` was written by a person on behalf of a chat: an anonymous group admin
/// (`from` is GroupAnonymousBot) or someone posting as a channel (`from` is Channel_Bot). Its `from`
/// says "bot", but a person wrote it: it is answered, with the chat as its sender.
struct TelegramNormaliser: ProviderNormaliser {
    private static let messageFields = ["message", "edited_message", "channel_post", "edited_channel_post"]
    private static let serviceFields = [
        "new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo", "delete_chat_photo",
        "group_chat_created", "supergroup_chat_created", "pinned_message", "migrate_to_chat_id",
    ]

    func normalise(_ update: JSONFields, receivedAt: Timestamp) throws(JSONFieldError) -> Normalised {
        let updateID = try update.integer("update_id")
        guard let field = Self.messageFields.first(where: update.has) else {
            return .ignored(reason: "update carries no message")
        }
        let message = try update.object(field)
        let chat = try message.object("chat")
        let chatID = try chat.identifier("id")
        let chatType = try chat.string("type")
        var messageID = try message.identifier("message_id")
        if field.hasPrefix("edited_") {
            messageID += "@" + String(try message.integer("edit_date"))
        }
        let from = try message.optionalObject("from")
        let senderChat = try message.optionalObject("sender_chat")
        if senderChat == nil, try from?.optionalBool("is_bot") == true {
            return .ignored(reason: "message from a bot")
        }
        if let service = Self.serviceFields.first(where: message.has) {
            return .ignored(reason: "service message (\(service))")
        }
        guard let text = try message.firstOptionalString("text", "caption"), !text.isEmpty else {
            return .ignored(reason: "message has no text")
        }
        // On behalf of a chat, the chat is the sender; a channel post has no `from` and, without
        // `sender_chat`, is the channel's own.
        let sender = try (senderChat ?? from)?.identifier("id") ?? chatID
        let thread = try message.optionalIdentifier("message_thread_id")
        return .message(
            InboundEvent(
                provider: .telegram,
                workspaceID: chatID,
                conversationID: chatID,
                threadID: thread,
                senderID: sender,
                isDirect: chatType == "private",
                text: text,
                messageID: messageID,
                eventID: String(updateID),
                replyTarget: ReplyTarget(chat: chatID, message: try message.identifier("message_id"), thread: thread),
                receivedAt: receivedAt
            )
        )
    }
}
