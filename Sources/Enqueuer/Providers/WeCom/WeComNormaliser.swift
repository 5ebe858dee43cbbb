import JSON
import Queue

/// WeCom (WeChat Work): an AI bot's message callback, already decrypted to JSON.
///
/// The workspace is the bot (`aibotid`); the message id is `msgid`. A `mixed` message's text parts are
/// its text and its images its attachments. A message from the AI bot's long connection carries `req_id`
/// (the receiver adds it from the frame's headers): its reply goes out over that socket, answering it.
///
/// An image, file or video is a `url` (valid for minutes) and, over the long connection, the `aeskey`
/// that decrypts what it serves. A voice note arrives as WeCom's transcript alone: an attachment with no
/// reference.
struct WeComNormaliser: ProviderNormaliser {
    /// The message types read; the rest (events ...) are ignored.
    private static let readTypes: Set<String> = ["text", "mixed", "voice", "image", "file", "video"]

    func normalise(_ message: JSONFields, receivedAt: Timestamp) throws(JSONFieldError) -> Normalised {
        let messageType = try message.string("msgtype")
        guard Self.readTypes.contains(messageType) else {
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
        var text = ""
        var attachments: [InboundAttachment] = []
        switch messageType {
        case "mixed":
            (text, attachments) = try Self.mixed(message)
        case "voice":
            let transcript = try message.object("voice").string("content")
            attachments = [InboundAttachment(kind: .voice, reference: nil, transcript: transcript)]
        case "image":
            attachments = [try Self.file(message.object("image"), .image)]
        case "file":
            attachments = [try Self.file(message.object("file"), .file)]
        case "video":
            attachments = [try Self.file(message.object("video"), .video)]
        default:
            text = try message.object("text").trimmedString("content")
        }
        guard !text.isEmpty || !attachments.isEmpty else {
            return .ignored(reason: "message has no text and no attachment")
        }
        return .message(
            InboundEvent(
                provider: .wecom,
                workspaceID: bot,
                conversationID: chat,
                threadID: nil,
                senderID: user,
                isDirect: chatType == "single",
                text: text,
                attachments: attachments,
                messageID: messageID,
                eventID: nil,
                replyTarget: ReplyTarget(
                    chat: chat, user: chatType == "single" ? user : nil, bot: bot,
                    context: try message.optionalString("req_id")),
                receivedAt: receivedAt
            )
        )
    }

    /// The text items of a `mixed` message, one per line, and its image items.
    private static func mixed(_ message: JSONFields) throws(JSONFieldError) -> (String, [InboundAttachment]) {
        let mixed = try message.object("mixed")
        let items = try mixed.optionalArray("msg_item") ?? []
        var parts: [String] = []
        var attachments: [InboundAttachment] = []
        for index in items.indices {
            let item = try mixed.element("msg_item", index, of: items)
            switch try item.optionalString("msgtype") {
            case "text":
                let text = try item.object("text").trimmedString("content")
                if !text.isEmpty { parts.append(text) }
            case "image":
                attachments.append(try file(item.object("image"), .image))
            default:
                break
            }
        }
        return (parts.joined(separator: "\n"), attachments)
    }

    /// An `image`, `file` or `video` object: `url` and, over the long connection, `aeskey`.
    private static func file(_ object: JSONFields, _ kind: InboundAttachment.Kind) throws(JSONFieldError)
        -> InboundAttachment
    {
        InboundAttachment(kind: kind, reference: try object.text("url"), key: try object.optionalString("aeskey"))
    }
}
