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
/// (`voice_item.text`) when WeChat made one. Image, voice, file and video items are its attachments, each
/// a file on WeChat's CDN, encrypted.
struct WeChatNormaliser: ProviderNormaliser {
    private static let userMessage: Int64 = 1
    private static let botMessage: Int64 = 2
    private static let textItem: Int64 = 1
    private static let imageItem: Int64 = 2
    private static let voiceItem: Int64 = 3
    private static let fileItem: Int64 = 4
    private static let videoItem: Int64 = 5

    func normalise(_ message: JSONFields, receivedAt: Timestamp) throws(JSONFieldError) -> Normalised {
        let type = try message.optionalInteger("message_type") ?? Self.userMessage
        if type == Self.botMessage { return .ignored(reason: "message from the bot") }
        guard type == Self.userMessage else { return .ignored(reason: "message type \(type)") }
        let user = try message.text("from_user_id")
        let messageID = try message.firstOptionalIdentifier("message_id", "msg_id")
        let items = try message.optionalArray("item_list") ?? []
        var parts: [String] = []
        var attachments: [InboundAttachment] = []
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
            if let attachment = try Self.attachment(of: item) {
                attachments.append(attachment)
            }
        }
        let text = parts.joined(separator: "\n")
        guard !text.isEmpty || !attachments.isEmpty else {
            return .ignored(reason: "message has no text and no attachment")
        }
        return .message(
            InboundEvent(
                provider: .wechat,
                workspaceID: user,
                conversationID: user,
                threadID: nil,
                senderID: user,
                isDirect: true,
                text: text,
                attachments: attachments,
                messageID: messageID,
                eventID: nil,
                replyTarget: ReplyTarget(chat: user, context: try message.optionalString("context_token")),
                receivedAt: receivedAt
            )
        )
    }

    /// The file of an image, voice, file or video item; nil for any other item.
    private static func attachment(of item: JSONFields) throws(JSONFieldError) -> InboundAttachment? {
        switch try item.optionalInteger("type") {
        case Self.imageItem:
            guard let image = try item.optionalObject("image_item") else { return nil }
            // An image's own key (hex) comes before its media's.
            return try file(image, .image, key: image.optionalString("aeskey"))
        case Self.voiceItem:
            guard let voice = try item.optionalObject("voice_item") else { return nil }
            var attachment = try file(voice, .voice)
            attachment.transcript = try voice.optionalString("text")
            return attachment
        case Self.fileItem:
            guard let fileItem = try item.optionalObject("file_item") else { return nil }
            var attachment = try file(fileItem, .file)
            attachment.fileName = try fileItem.optionalString("file_name")
            // The size is a string of digits.
            attachment.declaredSize = try fileItem.optionalString("len").flatMap { Int64($0) }
            return attachment
        case Self.videoItem:
            guard let video = try item.optionalObject("video_item") else { return nil }
            return try file(video, .video)
        default:
            return nil
        }
    }

    /// A media item's file, from its `media` (a CDNMedia): the reference is its `full_url`, else its
    /// `encrypt_query_param` (for the CDN's download route); the key is `key` if given, else its `aes_key`
    /// (base64).
    private static func file(_ item: JSONFields, _ kind: InboundAttachment.Kind, key: String? = nil)
        throws(JSONFieldError) -> InboundAttachment
    {
        let media = try item.optionalObject("media")
        let reference = try media?.firstOptionalString("full_url", "encrypt_query_param")
        let mediaKey = try media?.optionalString("aes_key")
        return InboundAttachment(kind: kind, reference: reference, key: key ?? mediaKey)
    }
}
