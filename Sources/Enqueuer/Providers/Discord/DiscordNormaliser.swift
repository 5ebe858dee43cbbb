import JSON
import Queue

/// Discord: a gateway dispatch (`op` 0) of `MESSAGE_CREATE`.
///
/// The workspace is the guild. A direct message has none: its dedupe key is scoped by the receiving bot
/// when the dispatch carries `application_id` (the Gateway receiver adds the id its READY gave), and it
/// has no key otherwise. The message id is the message's snowflake.
struct DiscordNormaliser: ProviderNormaliser {
    /// Message types that are people writing: DEFAULT and REPLY. Joins (7), pins and the rest are ignored.
    private static let userTypes: Set<Int64> = [0, 19]
    /// The message flag of a voice message (IS_VOICE_MESSAGE): its one attachment is the recording.
    private static let voiceMessageFlag: Int64 = 1 << 13

    func normalise(_ dispatch: JSONFields, receivedAt: Timestamp) throws(JSONFieldError) -> Normalised {
        let op = try dispatch.integer("op")
        guard op == 0 else { return .ignored(reason: "gateway op \(op)") }
        let name = try dispatch.string("t")
        guard name == "MESSAGE_CREATE" else { return .ignored(reason: "dispatch \(name)") }
        let message = try dispatch.object("d")
        let id = try message.identifier("id")
        let channel = try message.identifier("channel_id")
        let author = try message.object("author")
        let authorID = try author.identifier("id")
        if try author.optionalBool("bot") == true {
            return .ignored(reason: "message from a bot")
        }
        let type = try message.optionalInteger("type") ?? 0
        guard Self.userTypes.contains(type) else { return .ignored(reason: "message type \(type)") }
        let content = try message.string("content")
        let attachments = try Self.attachments(of: message)
        guard !content.isEmpty || !attachments.isEmpty else {
            return .ignored(reason: "message has no text and no attachment")
        }
        let guild = try message.optionalIdentifier("guild_id")
        return .message(
            InboundEvent(
                provider: .discord,
                workspaceID: guild,
                conversationID: channel,
                threadID: nil,
                senderID: authorID,
                isDirect: guild == nil,
                text: content,
                attachments: attachments,
                messageID: id,
                eventID: nil,
                replyTarget: ReplyTarget(chat: channel, message: id),
                receivedAt: receivedAt,
                receivingBot: guild == nil ? try dispatch.optionalIdentifier("application_id") : nil
            )
        )
    }

    /// The message's `attachments`; the reference is the attachment's signed CDN `url`, fetched without
    /// credentials. `sticker_items` are not read: a sticker is not a file the sender attached.
    private static func attachments(of message: JSONFields) throws(JSONFieldError) -> [InboundAttachment] {
        let attachments = try message.optionalArray("attachments") ?? []
        guard !attachments.isEmpty else { return [] }
        let isVoiceMessage = try (message.optionalInteger("flags") ?? 0) & Self.voiceMessageFlag != 0
        return try attachments.indices.map { index throws(JSONFieldError) in
            let attachment = try message.element("attachments", index, of: attachments)
            let contentType = try attachment.optionalString("content_type")
            return InboundAttachment(
                kind: isVoiceMessage ? .voice : InboundAttachment.Kind(contentType: contentType),
                reference: try attachment.text("url"),
                fileName: try attachment.optionalString("filename"),
                contentType: contentType,
                declaredSize: try attachment.optionalInteger("size"))
        }
    }
}
