import Foundation
import JSON

/// A file an agent's answer sends to the chat, as a delivery job carries it: what it is and the SHA-256
/// it is kept under until the job sends it, never its bytes (the job reads them from the store when it
/// runs). The message's text is the file's caption.
public struct OutboundFile: Sendable, Equatable {
    /// What the provider is asked to show it as: an image, a voice note, audio, a video or a file.
    public var kind: InboundAttachment.Kind
    /// The SHA-256 of its bytes in lower-case hex: the name the store keeps them under.
    public var sha256: String
    /// The name it is sent under, already made safe.
    public var fileName: String
    /// Its content type, read from the bytes where they tell.
    public var contentType: String
    /// Its size in bytes.
    public var size: Int
    /// The bytes, read from the store by the delivery job before it sends; never in the payload.
    public var data: Data?
    /// What the provider names the file by once uploaded (`ProviderClient.upload`), for providers that
    /// take files apart from the message; kept in the job's checkpoint, never in the payload.
    public var uploaded: String?

    public init(kind: InboundAttachment.Kind, sha256: String, fileName: String, contentType: String, size: Int) {
        self.kind = kind
        self.sha256 = sha256
        self.fileName = fileName
        self.contentType = contentType
        self.size = size
    }

    var json: JSONValue {
        .object(
            JSONObject([
                "kind": .string(kind.rawValue), "sha256": .string(sha256), "file_name": .string(fileName),
                "content_type": .string(contentType), "size": .integer(Int64(size)),
            ]))
    }

    init(json fields: JSONFields) throws(JSONFieldError) {
        guard let kind = InboundAttachment.Kind(rawValue: try fields.string("kind")) else {
            throw fields.error("kind", "is not a kind of attachment")
        }
        self.init(
            kind: kind, sha256: try fields.string("sha256"), fileName: try fields.string("file_name"),
            contentType: try fields.string("content_type"), size: Int(try fields.integer("size")))
    }
}
