import JSON
import Queue

/// WeCom (WeChat Work): an AI bot's message callback, already decrypted to JSON.
///
/// The workspace is the bot (`aibotid`); the message id is `msgid`. A `mixed` message (text and images)
/// is answered by its text parts. A message from the AI bot's long connection carries `req_id` (the
/// receiver adds it from the frame's headers): its reply goes out over that socket, answering it.
struct WeComNormaliser: ProviderNormaliser {
    func normalise(_ message: JSONFields, receivedAt: Timestamp) throws(JSONFieldError) -> Normalised {
        let messageType = try message.string("msgtype")
        guard messageType == "text" || messageType == "mixed" else {
            return .ignored(reason: "message type \(messageType)")
        }
        let messageID = try message.text("msgid")
        let bot = try message.text("aibotid")
        let chatType = try message.string("chattype")
        guard chatType == "single" || chatType == "group" else {
            throw message.error("chattype", "must be \"single\" or \"group\"")
        }
        let user = try message.object("from").text("userid")
        let chat = chatType == "group" ? try message.text("chatid") : user
        let text =
            messageType == "mixed" ? try Self.mixedText(message) : try message.object("text").trimmedString("content")
        guard !text.isEmpty else { return .ignored(reason: "message has no text") }
        return .message(
            InboundEvent(
                provider: .wecom,
                workspaceID: bot,
                conversationID: chat,
                threadID: nil,
                senderID: user,
                isDirect: chatType == "single",
                text: text,
                messageID: messageID,
                eventID: nil,
                replyTarget: ReplyTarget(
                    chat: chat, user: chatType == "single" ? user : nil, bot: bot,
                    context: try message.optionalString("req_id")),
                receivedAt: receivedAt
            )
        )
    }

    /// The text items of a `mixed` message, one per line.
    private static func mixedText(_ message: JSONFields) throws(JSONFieldError) -> String {
        let mixed = try message.object("mixed")
        let items = try mixed.optionalArray("msg_item") ?? []
        var parts: [String] = []
        for index in items.indices {
            let item = try mixed.element("msg_item", index, of: items)
            if try item.optionalString("msgtype") == "text" {
                let text = try item.object("text").trimmedString("content")
                if !text.isEmpty { parts.append(text) }
            }
        }
        return parts.joined(separator: "\n")
    }
}
