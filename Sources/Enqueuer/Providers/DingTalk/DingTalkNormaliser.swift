import JSON
import Queue

/// DingTalk: a robot's received message (HTTP callback or stream frame).
///
/// The workspace is the conversation (`conversationId`); the message id is `msgId`.
struct DingTalkNormaliser: ProviderNormaliser {
    func normalise(_ message: JSONFields, receivedAt: Timestamp) throws(JSONFieldError) -> Normalised {
        let messageType = try message.string("msgtype")
        guard messageType == "text" else { return .ignored(reason: "message type \(messageType)") }
        let messageID = try message.text("msgId")
        let conversation = try message.text("conversationId")
        let conversationType = try message.string("conversationType")
        guard conversationType == "1" || conversationType == "2" else {
            throw message.error("conversationType", "must be \"1\" (direct) or \"2\" (group)")
        }
        let staffID = try message.optionalString("senderStaffId")
        guard let sender = try message.firstOptionalString("senderStaffId", "senderId"), !sender.isEmpty else {
            throw message.error("senderId", "is missing")
        }
        let text = try message.object("text").trimmedString("content")
        guard !text.isEmpty else { return .ignored(reason: "message has no text") }
        return .message(
            InboundEvent(
                provider: .dingtalk,
                workspaceID: conversation,
                conversationID: conversation,
                threadID: nil,
                senderID: sender,
                isDirect: conversationType == "1",
                text: text,
                messageID: messageID,
                eventID: nil,
                replyTarget: ReplyTarget(
                    chat: conversation, message: messageID, user: conversationType == "1" ? staffID : nil,
                    bot: try message.optionalString("robotCode")
                ),
                receivedAt: receivedAt
            )
        )
    }
}
