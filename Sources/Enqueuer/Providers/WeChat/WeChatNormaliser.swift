import JSON
import Queue

/// WeChat through iLink: one message of a `getupdates` poll.
///
/// Every chat is direct, and the workspace is the chat (`from_user_id`). The message id is `message_id`,
/// else `msg_id`; the client-made `client_id` is never used, so a message with neither has no dedupe key.
/// Replies need the message's `context_token`.
///
/// `message_type` is optional in the WeixinMessage schema, and iLink's own plugin sends messages without
/// it: such a message is a user's. The text is every text item's text, and a voice item's transcript
/// (`voice_item.text`) when WeChat made one.
struct WeChatNormaliser: ProviderNormaliser {
    private static let userMessage: Int64 = 1
    private static let botMessage: Int64 = 2
    private static let textItem: Int64 = 1
    private static let voiceItem: Int64 = 3

    func normalise(_ message: JSONFields, receivedAt: Timestamp) throws(JSONFieldError) -> Normalised {
        let type = try message.optionalInteger("message_type") ?? Self.userMessage
        if type == Self.botMessage { return .ignored(reason: "message from the bot") }
        guard type == Self.userMessage else { return .ignored(reason: "message type \(type)") }
        let user = try message.text("from_user_id")
        let messageID = try message.firstOptionalIdentifier("message_id", "msg_id")
        let items = try message.optionalArray("item_list") ?? []
        var parts: [String] = []
        for index in items.indices {
            let item = try message.element("item_list", index, of: items)
            let text: String? =
                switch try item.optionalInteger("type") {
                case Self.textItem: try item.optionalObject("text_item")?.string("text")
                case Self.voiceItem: try item.optionalObject("voice_item")?.optionalString("text")
                default: nil
                }
            if let text, !text.isEmpty {
                parts.append(text)
            }
        }
        let text = parts.joined(separator: "\n")
        guard !text.isEmpty else { return .ignored(reason: "message has no text") }
        return .message(
            InboundEvent(
                provider: .wechat,
                workspaceID: user,
                conversationID: user,
                threadID: nil,
                senderID: user,
                isDirect: true,
                text: text,
                messageID: messageID,
                eventID: nil,
                replyTarget: ReplyTarget(chat: user, context: try message.optionalString("context_token")),
                receivedAt: receivedAt
            )
        )
    }
}
