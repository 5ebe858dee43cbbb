import Enqueuer
import Foundation
import HTTPClient

/// WeChat's iLink bot: the media's CDN URL (`full_url`, else the CDN's `download` route with the
/// message's `encrypt_query_param`), fetched without credentials, then AES-128-ECB with PKCS#7 padding
/// under the item's key: 32 hex digits, or base64 of 16 bytes or of 32 hex digits.
extension WeChatClient: AttachmentDownloading {
    /// The CDN media is served from.
    static let cdn = "https://novac2c.cdn.weixin.qq.com/c2c"

    var fileHosts: [String] { ["novac2c.cdn.weixin.qq.com", ".weixin.qq.com"] }

    func attachmentRequest(for attachment: InboundAttachment, in event: InboundEvent) async throws(AttachmentFailure)
        -> HTTPRequest
    {
        let reference = attachment.reference ?? ""
        if reference.hasPrefix("https://") || reference.hasPrefix("http://") {
            return HTTPRequest(.get, reference)
        }
        let parameter = reference.addingPercentEncoding(withAllowedCharacters: AttachmentLinks.unreserved) ?? ""
        return HTTPRequest(.get, "\(Self.cdn)/download?encrypted_query_param=\(parameter)")
    }

    func plaintext(of downloaded: Data, for attachment: InboundAttachment) throws(AttachmentFailure) -> Data {
        guard let given = attachment.key, !given.isEmpty else { return downloaded }
        guard let key = Self.key(given) else {
            throw .unreadable("wechat: the media's key is neither 16 bytes nor 32 hex digits")
        }
        guard let plain = WebhookCrypto.decryptAES128ECB(key: key, downloaded) else {
            throw .unreadable("wechat: the media does not decrypt with its key")
        }
        return plain
    }

    /// The 16-byte key from hex, or from base64 of the bytes or of their hex.
    static func key(_ given: String) -> Data? {
        if let bytes = WebhookCrypto.bytes(hex: given), bytes.count == 16 { return bytes }
        guard let decoded = Data(base64Encoded: given) else { return nil }
        if decoded.count == 16 { return decoded }
        return WebhookCrypto.bytes(hex: String(decoding: decoded, as: UTF8.self)).flatMap { $0.count == 16 ? $0 : nil }
    }
}
