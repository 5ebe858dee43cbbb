import Foundation
import JSON

/// A file a chat message carries (a photo, a voice note, a document), as the provider described it: what
/// its download route needs to fetch the bytes, never the bytes. The worker fetches them when it answers
/// the message.
public struct InboundAttachment: Sendable, Equatable {
    /// What the file is, as the provider's message says.
    public enum Kind: String, Sendable, CaseIterable {
        case image, voice, audio, video, file, sticker
    }

    public var kind: Kind
    /// What the provider's download route takes: Telegram's `file_id`, a Slack, Discord or WeCom URL,
    /// Feishu's image or file key, DingTalk's `downloadCode`, WeChat's CDN parameter or URL. Nil when the
    /// provider sends no bytes for it (a WeCom voice note arrives as its transcript only; a Feishu sticker
    /// cannot be downloaded).
    public var reference: String?
    /// The key that decrypts the bytes, for providers that encrypt their media (WeCom's `aeskey`,
    /// WeChat's AES key), as the provider gave it.
    public var key: String?
    /// The file's name as the provider gave it, unsanitised.
    public var fileName: String?
    /// The content type the provider declared, if any.
    public var contentType: String?
    /// The size in bytes the provider declared, if any: a hint, checked again while downloading.
    public var declaredSize: Int64?
    /// The provider's transcript of a voice note (DingTalk's `recognition`, WeCom's and WeChat's text).
    public var transcript: String?

    public init(
        kind: Kind, reference: String?, key: String? = nil, fileName: String? = nil, contentType: String? = nil,
        declaredSize: Int64? = nil, transcript: String? = nil
    ) {
        self.kind = kind
        self.reference = reference
        self.key = key
        self.fileName = fileName
        self.contentType = contentType
        self.declaredSize = declaredSize
        self.transcript = transcript
    }
}

extension InboundAttachment {
    /// This attachment as a JSON object, for job payloads.
    public var json: JSONValue {
        var object = JSONObject(["kind": .string(kind.rawValue)])
        object.set("reference", reference.map(JSONValue.string))
        object.set("key", key.map(JSONValue.string))
        object.set("file_name", fileName.map(JSONValue.string))
        object.set("content_type", contentType.map(JSONValue.string))
        object.set("declared_size", declaredSize.map(JSONValue.integer))
        object.set("transcript", transcript.map(JSONValue.string))
        return .object(object)
    }

    /// Reads an attachment written by `json`.
    public init(json fields: JSONFields) throws(JSONFieldError) {
        guard let kind = Kind(rawValue: try fields.string("kind")) else {
            throw fields.error("kind", "is not one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.init(
            kind: kind,
            reference: try fields.optionalString("reference"),
            key: try fields.optionalString("key"),
            fileName: try fields.optionalString("file_name"),
            contentType: try fields.optionalString("content_type"),
            declaredSize: try fields.optionalInteger("declared_size"),
            transcript: try fields.optionalString("transcript"))
    }
}

extension InboundAttachment.Kind {
    /// The kind a declared content type names: `image/*`, `audio/*` or `video/*`; anything else, or none,
    /// is a file.
    init(contentType: String?) {
        let type = contentType?.lowercased() ?? ""
        self =
            if type.hasPrefix("image/") {
                .image
            } else if type.hasPrefix("audio/") {
                .audio
            } else if type.hasPrefix("video/") {
                .video
            } else {
                .file
            }
    }
}
