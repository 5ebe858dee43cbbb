import Enqueuer
import Foundation

/// A file of a turn's messages as the agent is given it: what it is, its digest and its bytes when they
/// were fetched, or why they were not.
public struct TurnAttachment: Sendable, Equatable {
    public var kind: InboundAttachment.Kind
    /// The file's name, made safe to use as one (`SafeFileName`).
    public var fileName: String?
    /// The content type read from the bytes where they say, else the one the provider declared.
    public var contentType: String?
    /// The size in bytes of what was fetched.
    public var size: Int?
    /// The SHA-256 of the bytes, in lower-case hex: the name they are kept under.
    public var sha256: String?
    /// The bytes, for a file no larger than `AttachmentSettings.inlineBytes`.
    public var data: Data?
    /// A signed link to the bytes for a limited time: served by `serve` where links are configured, or the
    /// object store's presigned GET where files are kept there (`attachments.s3`).
    public var url: String?
    /// The provider's transcript of a voice note.
    public var transcript: String?
    /// Why the bytes are not here: not fetched, or fetched but too large to give inline.
    public var note: String?

    /// An attachment whose bytes could not be had, with the reason.
    static func unread(_ attachment: InboundAttachment, because reason: String) -> TurnAttachment {
        TurnAttachment(
            kind: attachment.kind, fileName: SafeFileName(attachment.fileName)?.name,
            contentType: attachment.contentType, transcript: attachment.transcript, note: reason)
    }
}
