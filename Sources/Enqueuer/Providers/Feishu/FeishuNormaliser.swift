import Foundation
import JSON
import Queue

/// Feishu / Lark: an `im.message.receive_v1` event in the 2.0 schema, already decrypted.
///
/// The workspace is the chat; the message id is `event.message.message_id` (`om_...`). The text and the
/// keys of the files sit inside `content`, itself a JSON string. A file's reference is its key alone: the
/// download route takes the message id too, and `type=image` for an image, `type=file` for the rest.
struct FeishuNormaliser: ProviderNormaliser {
    /// The message types read; the rest (cards, shared chats, merged forwards ...) are ignored.
    private static let readTypes: Set<String> = ["text", "post", "image", "file", "audio", "media", "sticker"]

    func normalise(_ body: JSONFields, receivedAt: Timestamp) throws(JSONFieldError) -> Normalised {
        if try body.optionalString("type") == "url_verification" {
            return .verification(challenge: try body.text("challenge"))
        }
        if body.has("encrypt") {
            throw body.error("encrypt", "is an encrypted body: decrypt it with the app's encrypt key before intake")
        }
        let schema = try body.string("schema")
        guard schema == "2.0" else { throw body.error("schema", "must be \"2.0\"") }
        let header = try body.object("header")
        let eventType = try header.string("event_type")
        guard eventType == "im.message.receive_v1" else { return .ignored(reason: "event type \(eventType)") }
        let eventID = try header.text("event_id")
        let event = try body.object("event")
        let sender = try event.object("sender")
        if try sender.optionalString("sender_type") == "app" {
            return .ignored(reason: "message from a bot")
        }
        let senderID = try sender.object("sender_id").text("open_id")
        let message = try event.object("message")
        let messageID = try message.text("message_id")
        let chatID = try message.text("chat_id")
        let chatType = try message.string("chat_type")
        let messageType = try message.string("message_type")
        guard Self.readTypes.contains(messageType) else { return .ignored(reason: "message type \(messageType)") }
        let content = try Self.content(of: message)
        var text = ""
        var attachments: [InboundAttachment] = []
        switch messageType {
        case "text":
            text = try content.string("text")
        case "post":
            (text, attachments) = try Self.post(content)
        default:
            attachments = [try Self.attachment(messageType, content)]
        }
        guard !text.isEmpty || !attachments.isEmpty else {
            return .ignored(reason: "message has no text and no attachment")
        }
        let thread = try message.optionalString("thread_id")
        return .message(
            InboundEvent(
                provider: .feishu,
                workspaceID: chatID,
                conversationID: chatID,
                threadID: thread,
                senderID: senderID,
                isDirect: chatType == "p2p",
                text: text,
                attachments: attachments,
                messageID: messageID,
                eventID: eventID,
                replyTarget: ReplyTarget(chat: chatID, message: messageID, thread: thread),
                receivedAt: receivedAt
            )
        )
    }

    /// The JSON object encoded in `content`.
    private static func content(of message: JSONFields) throws(JSONFieldError) -> JSONFields {
        let content = try message.string("content")
        guard case .object(let object)? = try? JSONParser.parse(Data(content.utf8)) else {
            throw message.error("content", "must be a JSON object encoded as a string")
        }
        return JSONFields(object, path: message.path(of: "content"))
    }

    /// The file of an `image`, `file`, `audio` (a voice note), `media` (a video) or `sticker` message.
    private static func attachment(_ messageType: String, _ content: JSONFields) throws(JSONFieldError)
        -> InboundAttachment
    {
        switch messageType {
        case "image":
            InboundAttachment(kind: .image, reference: try content.text("image_key"))
        case "file":
            InboundAttachment(
                kind: .file, reference: try content.text("file_key"),
                fileName: try content.optionalString("file_name"))
        case "audio":
            InboundAttachment(kind: .voice, reference: try content.text("file_key"))
        case "media":
            InboundAttachment(
                kind: .video, reference: try content.text("file_key"),
                fileName: try content.optionalString("file_name"))
        default:
            // Feishu does not let a bot download a sticker it received.
            InboundAttachment(kind: .sticker, reference: nil)
        }
    }

    /// A `post`'s text and files: `{"title", "content": [[element, ...], ...]}`, a paragraph per array.
    /// The text is the title and, a line per paragraph, the text of its elements that have one (`text`,
    /// `a`, `md`; mentions are left out); `img` elements are images (`image_key`), `media` elements videos
    /// (`file_key`).
    private static func post(_ content: JSONFields) throws(JSONFieldError) -> (String, [InboundAttachment]) {
        var lines: [String] = []
        if let title = try content.optionalString("title"), !title.isEmpty {
            lines.append(title)
        }
        var attachments: [InboundAttachment] = []
        let paragraphs = try content.optionalArray("content") ?? []
        for (index, paragraph) in paragraphs.enumerated() {
            guard case .array(let elements) = paragraph else {
                throw content.error("content[\(index)]", "must be an array, not \(paragraph.kindName)")
            }
            var line = ""
            for position in elements.indices {
                let element = try content.element("content[\(index)]", position, of: elements)
                switch try element.optionalString("tag") {
                case "img":
                    attachments.append(InboundAttachment(kind: .image, reference: try element.text("image_key")))
                case "media":
                    attachments.append(InboundAttachment(kind: .video, reference: try element.text("file_key")))
                default:
                    line += try element.optionalString("text") ?? ""
                }
            }
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { lines.append(trimmed) }
        }
        return (lines.joined(separator: "\n"), attachments)
    }
}
