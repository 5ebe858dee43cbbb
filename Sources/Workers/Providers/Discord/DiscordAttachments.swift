import Enqueuer
import Foundation
import HTTPClient

/// Discord: a plain GET of the attachment's signed CDN URL; the bot token is never sent there.
extension DiscordClient: AttachmentDownloading {
    var fileHosts: [String] { ["cdn.discordapp.com", "media.discordapp.net"] }

    func attachmentRequest(for attachment: InboundAttachment, in event: InboundEvent) async throws(AttachmentFailure)
        -> HTTPRequest
    {
        HTTPRequest(.get, attachment.reference ?? "")
    }
}
