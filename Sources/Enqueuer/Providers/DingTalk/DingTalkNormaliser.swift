import JSON
import Queue

/// DingTalk: a robot's received message (HTTP callback or stream frame).
///
/// The workspace is the conversation (`conversationId`); the message id is `msgId`. A file's reference is
/// its `downloadCode`, which the robot's `messageFiles/download` route turns into a URL.
struct DingTalkNormaliser: ProviderNormaliser {
    /// The message types read; the rest are ignored.
    private static let readTypes: Set<String> = ["text", "richText", "picture", "audio", "file", "video"]

    func normalise(_ message: JSONFields, receivedAt: Timestamp) throws(JSONFieldError) -> Normalised {
        let messageType = try message.string("msgtype")
        guard Self.readTypes.contains(messageType) else { return .ignored(reason: "message type \(messageType)") }
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
        var text = ""
        var attachments: [InboundAttachment] = []
        switch messageType {
        case "text":
            text = try message.object("text").trimmedString("content")
        case "richText":
            (text, attachments) = try Self.richText(message.object("content"))
        default:
            attachments = [try Self.attachment(messageType, message.object("content"))]
        }
        guard !text.isEmpty || !attachments.isEmpty else {
            return .ignored(reason: "message has no text and no attachment")
        }
        return .message(
            InboundEvent(
                provider: .dingtalk,
                workspaceID: conversation,
                conversationID: conversation,
                threadID: nil,
                senderID: sender,
                isDirect: conversationType == "1",
                text: text,
                attachments: attachments,
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

    /// The file of a `picture`, `audio` (a voice note, with DingTalk's transcript in `recognition`),
    /// `file` or `video` message.
    private static func attachment(_ messageType: String, _ content: JSONFields) throws(JSONFieldError)
        -> InboundAttachment
    {
        let downloadCode = try content.text("downloadCode")
        return switch messageType {
        case "picture":
            InboundAttachment(kind: .image, reference: downloadCode)
        case "audio":
            InboundAttachment(
                kind: .voice, reference: downloadCode, transcript: try content.optionalString("recognition"))
        case "file":
            InboundAttachment(kind: .file, reference: downloadCode, fileName: try content.optionalString("fileName"))
        default:
            InboundAttachment(kind: .video, reference: downloadCode)
        }
    }

    /// A `richText` message's text and pictures: its `text` elements, one per line, and its
    /// `"type": "picture"` elements.
    private static func richText(_ content: JSONFields) throws(JSONFieldError) -> (String, [InboundAttachment]) {
        let elements = try content.optionalArray("richText") ?? []
        var parts: [String] = []
        var attachments: [InboundAttachment] = []
        for index in elements.indices {
            let element = try content.element("richText", index, of: elements)
            if try element.optionalString("type") == "picture" {
                attachments.append(InboundAttachment(kind: .image, reference: try element.text("downloadCode")))
            } else if element.has("text") {
                let text = try element.trimmedString("text")
                if !text.isEmpty { parts.append(text) }
            }
        }
        return (parts.joined(separator: "\n"), attachments)
    }
}
