import Enqueuer
import Foundation
import HTTPClient

/// Slack: a GET of the file's `url_private_download` with the bot token (scope `files:read`), sent only to
/// Slack's own file hosts; without the scope Slack answers a web page, which the fetcher refuses.
extension SlackClient: AttachmentDownloading {
    /// Slack's file hosts, as clients allow them (UNVERIFIED in Slack's documentation).
    var fileHosts: [String] { [".slack.com", ".slack-edge.com", ".slack-files.com"] }

    func attachmentRequest(for attachment: InboundAttachment, in event: InboundEvent) async throws(AttachmentFailure)
        -> HTTPRequest
    {
        HTTPRequest(
            .get, attachment.reference ?? "",
            headers: [("Authorization", "Bearer \(context.settings.credential("bot_token"))")])
    }
}
