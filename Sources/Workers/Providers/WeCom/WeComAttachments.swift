import Enqueuer
import Foundation
import HTTPClient

/// WeCom's AI bot: a plain GET of the media URL (valid five minutes), then WeCom's AES-256-CBC
/// (`WeComCrypto.decrypt`) under the file's own `aeskey` over the long connection, or under the bot's
/// `EncodingAESKey` for media that came by the HTTP callback, which carries no key of its own. The media
/// hosts are UNVERIFIED: Tencent's own domains are allowed, with Tencent Cloud's object storage
/// (`*.myqcloud.com`), where the AI bot's media are seen.
extension WeComClient: AttachmentDownloading {
    var fileHosts: [String] { [".work.weixin.qq.com", ".wework.qq.com", ".qpic.cn", ".myqcloud.com"] }

    func attachmentRequest(for attachment: InboundAttachment, in event: InboundEvent) async throws(AttachmentFailure)
        -> HTTPRequest
    {
        HTTPRequest(.get, attachment.reference ?? "")
    }

    func plaintext(of downloaded: Data, for attachment: InboundAttachment) throws(AttachmentFailure) -> Data {
        let key: Data?
        if let given = attachment.key {
            key = WeComCrypto.aesKey(given) ?? Data(base64Encoded: given).flatMap { $0.count == 32 ? $0 : nil }
        } else {
            key = WeComCrypto.aesKey(context.settings.credential("encoding_aes_key"))
        }
        guard let key else {
            throw .unreadable("wecom: the media has no aeskey and no encoding_aes_key is configured to decrypt it")
        }
        guard let plain = WeComCrypto.decrypt(downloaded, key: key) else {
            throw .unreadable("wecom: the file does not decrypt with its key")
        }
        return plain
    }
}
