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
        let text = try message.firstOptionalString("text", "caption") ?? ""
        let attachments = try Self.attachments(of: message)
        guard !text.isEmpty || !attachments.isEmpty else {
            return .ignored(reason: "message has no text and no attachment")
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
                attachments: attachments,
                messageID: messageID,
                eventID: String(updateID),
                replyTarget: ReplyTarget(chat: chatID, message: try message.identifier("message_id"), thread: thread),
                receivedAt: receivedAt
            )
        )
    }

    /// The files a message carries: the largest size of a `photo`, and its `document`, `animation`,
    /// `audio`, `video`, `video_note`, `voice` or `sticker`. The reference is the `file_id`, what `getFile`
    /// takes.
    private static func attachments(of message: JSONFields) throws(JSONFieldError) -> [InboundAttachment] {
        var attachments: [InboundAttachment] = []
        // The sizes of one photo, the largest last.
        if let sizes = try message.optionalArray("photo"), !sizes.isEmpty {
            attachments.append(try file(message.element("photo", sizes.count - 1, of: sizes), .image))
        }
        // An animation message also carries its file as `document`, for older clients: it is listed once.
        if let animation = try message.optionalObject("animation") {
            attachments.append(try file(animation, .video))
        } else if let document = try message.optionalObject("document") {
            attachments.append(try file(document, .file))
        }
        let kinds: [(String, InboundAttachment.Kind)] = [
            ("audio", .audio), ("video", .video), ("video_note", .video), ("voice", .voice),
        ]
        for (field, kind) in kinds {
            if let object = try message.optionalObject(field) {
                attachments.append(try file(object, kind))
            }
        }
        if let sticker = try message.optionalObject("sticker") {
            // A sticker declares no MIME type: its format follows from `is_animated` (TGS) and `is_video`.
            let format: String
            if try sticker.optionalBool("is_animated") == true {
                format = "application/x-tgsticker"
            } else if try sticker.optionalBool("is_video") == true {
                format = "video/webm"
            } else {
                format = "image/webp"
            }
            attachments.append(try file(sticker, .sticker, contentType: format))
        }
        return attachments
    }

    /// One of Telegram's file objects (`PhotoSize`, `Document`, `Voice` ...).
    private static func file(
        _ object: JSONFields, _ kind: InboundAttachment.Kind, contentType: String? = nil
    ) throws(JSONFieldError) -> InboundAttachment {
        let mimeType = try object.optionalString("mime_type")
        return InboundAttachment(
            kind: kind,
            reference: try object.text("file_id"),
            fileName: try object.optionalString("file_name"),
            contentType: contentType ?? mimeType,
            declaredSize: try object.optionalInteger("file_size"))
    }
}
