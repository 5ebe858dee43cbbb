import JSON
import Queue

/// Slack Events API: an `event_callback` envelope with a `message` or `app_mention` event, or the
/// `url_verification` check.
///
/// The workspace is the team (channel ids are unique only within one). The message id is the event's
/// `ts`, which Slack's retries repeat and which is the same for the `message` and `app_mention` events
/// of one message, so a bot subscribed to both answers once. `client_msg_id` is never used.
struct SlackNormaliser: ProviderNormaliser {
    /// Message subtypes that are still a person writing; every other subtype (joins, edits, deletions,
    /// bot messages) is ignored.
    private static let userSubtypes: Set<String> = ["thread_broadcast", "file_share"]

    func normalise(_ envelope: JSONFields, receivedAt: Timestamp) throws(JSONFieldError) -> Normalised {
        switch try envelope.string("type") {
        case "url_verification":
            return .verification(challenge: try envelope.text("challenge"))
        case "event_callback":
            break
        case let other:
            return .ignored(reason: "envelope type \(other)")
        }
        let event = try envelope.object("event")
        let type = try event.string("type")
        guard type == "message" || type == "app_mention" else {
            return .ignored(reason: "event type \(type)")
        }
        let subtype = try event.optionalString("subtype")
        if event.has("bot_id") || subtype == "bot_message" {
            return .ignored(reason: "message from a bot")
        }
        // Slack documents that `message_replied` (a thread's parent, updated) can arrive without its
        // subtype: it carries the parent as a nested `message`, and is hidden.
        let hidden = try event.optionalBool("hidden") == true
        if subtype == nil && (event.has("message") || hidden) {
            return .ignored(reason: "message subtype message_replied (sent without its subtype)")
        }
        if let subtype, !Self.userSubtypes.contains(subtype) {
            return .ignored(reason: "message subtype \(subtype)")
        }
        let channel = try event.text("channel")
        let text = try event.string("text")
        let attachments = try Self.attachments(of: event)
        guard !text.isEmpty || !attachments.isEmpty else {
            return .ignored(reason: "message has no text and no attachment")
        }
        let user = try event.text("user")
        let ts = try event.text("ts")
        let thread = try event.optionalString("thread_ts")
        let channelType = try event.optionalString("channel_type")
        var team = try envelope.optionalString("team_id")
        if team == nil {
            team = try event.optionalString("team")
        }
        return .message(
            InboundEvent(
                provider: .slack,
                workspaceID: team,
                conversationID: channel,
                threadID: thread,
                senderID: user,
                isDirect: channelType.map { $0 == "im" } ?? channel.hasPrefix("D"),
                text: text,
                attachments: attachments,
                messageID: ts,
                eventID: try envelope.optionalString("event_id"),
                replyTarget: ReplyTarget(chat: channel, message: ts, thread: thread),
                receivedAt: receivedAt
            )
        )
    }

    /// The event's `files` (a `file_share` message's, an app mention's). The reference is the file's
    /// `url_private_download` (else `url_private`), fetched with the bot token. A Slack Connect file
    /// (`"mode": "file_access"`) arrives without them, to be looked up with `files.info`: its reference
    /// is nil.
    private static func attachments(of event: JSONFields) throws(JSONFieldError) -> [InboundAttachment] {
        let files = try event.optionalArray("files") ?? []
        return try files.indices.map { index throws(JSONFieldError) in
            let file = try event.element("files", index, of: files)
            let contentType = try file.optionalString("mimetype")
            return InboundAttachment(
                kind: InboundAttachment.Kind(contentType: contentType),
                reference: try file.firstOptionalString("url_private_download", "url_private"),
                fileName: try file.optionalString("name"),
                contentType: contentType,
                declaredSize: try file.optionalInteger("size"))
        }
    }
}
