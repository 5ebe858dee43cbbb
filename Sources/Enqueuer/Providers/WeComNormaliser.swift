import Queue

/// WeCom (WeChat Work): an AI bot's message callback, already decrypted to JSON.
///
/// The workspace is the bot (`aibotid`); the message id is `msgid`.
struct WeComNormaliser: ProviderNormaliser {
    func normalise(_ message: PayloadFields, receivedAt: Timestamp) throws(IntakeRejection) -> Normalised {
        let messageType = try message.string("msgtype")
        guard messageType == "text" else { return .ignored(reason: "message type \(messageType)") }
        let messageID = try message.text("msgid")
        let bot = try message.text("aibotid")
        let chatType = try message.string("chattype")
        guard chatType == "single" || chatType == "group" else {
            throw message.reject("chattype", "must be \"single\" or \"group\"")
        }
        let user = try message.object("from").text("userid")
        let chat = chatType == "group" ? try message.text("chatid") : user
        let text = try message.object("text").trimmedString("content")
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
                replyTarget: ReplyTarget(chat: chat, user: chatType == "single" ? user : nil, bot: bot),
                receivedAt: receivedAt
            )
        )
    }
}
