import Enqueuer
import Foundation
import HTTPClient

/// Slack: a GET of the file's `url_private_download` with the bot token (scope `files:read`), fetched only
/// from Slack's file hosts. Without the scope Slack answers its sign-in page, with 200: that is refused.
extension SlackClient: AttachmentDownloading {
    /// Slack's file hosts, as clients allow them (UNVERIFIED in Slack's documentation beyond
    /// `files.slack.com`, the only one the token is sent to).
    var fileHosts: [String] { [".slack.com", ".slack-edge.com", ".slack-files.com"] }

    func attachmentRequest(for attachment: InboundAttachment, in event: InboundEvent) async throws(AttachmentFailure)
        -> HTTPRequest
    {
        let url = attachment.reference ?? ""
        let host = URLComponents(string: url)?.host?.lowercased()
        let api = URLComponents(string: context.settings.baseURL)?.host?.lowercased()
        let takesToken = host == "files.slack.com" || host == api
        return HTTPRequest(.get, url, headers: takesToken ? Self.headers(context.settings) : [])
    }

    func plaintext(of downloaded: Data, for attachment: InboundAttachment) throws(AttachmentFailure) -> Data {
        let head = String(decoding: downloaded.prefix(64), as: UTF8.self)
            .trimmingPrefix(while: { $0.isWhitespace || $0 == "\u{FEFF}" }).lowercased()
        let isWebPage = head.hasPrefix("<!doctype html") || head.hasPrefix("<html")
        guard !isWebPage || attachment.contentType == "text/html" else {
            throw .unreadable("slack answered its sign-in page, not the file: the bot needs the files:read scope")
        }
        return downloaded
    }
}
