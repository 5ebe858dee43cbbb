import Enqueuer
import Foundation
import HTTPClient

/// How a provider's client fetches the files its messages carry.
protocol AttachmentDownloading: Sendable {
    /// Hosts the provider serves files from besides its API (`providers.P.base_url`), the only other
    /// hosts a file is fetched from or redirected to: a name, or a suffix starting with a dot
    /// (`.slack.com`).
    var fileHosts: [String] { get }
    /// The request for `attachment`'s bytes, after the lookups its provider needs first (Telegram's
    /// `getFile`, DingTalk's download URL), with the credentials the provider's own hosts take.
    func attachmentRequest(for attachment: InboundAttachment, in event: InboundEvent) async throws(AttachmentFailure)
        -> HTTPRequest
    /// The file's bytes from what was downloaded: decrypted, where the provider encrypts its media.
    func plaintext(of downloaded: Data, for attachment: InboundAttachment) throws(AttachmentFailure) -> Data
    /// Told that a file's host refused the credentials sent (401): a cached access token is dropped, so
    /// the turn's next attempt fetches a new one.
    func credentialsRefused() async
}

extension AttachmentDownloading {
    var fileHosts: [String] { [] }

    func plaintext(of downloaded: Data, for attachment: InboundAttachment) throws(AttachmentFailure) -> Data {
        downloaded
    }

    func credentialsRefused() async {}
}
