import Enqueuer
import Foundation
import HTTPClient

/// WeCom's AI bot: a plain GET of the media URL (valid five minutes), then AES-256-CBC with the file's
/// own `aeskey` (base64, 32 bytes; the IV its first 16), padded PKCS#7-style to 32-byte blocks. The
/// media hosts are UNVERIFIED: Tencent's domains are allowed.
extension WeComClient: AttachmentDownloading {
    var fileHosts: [String] { [".qq.com", ".qpic.cn", ".myqcloud.com"] }

    func attachmentRequest(for attachment: InboundAttachment, in event: InboundEvent) async throws(AttachmentFailure)
        -> HTTPRequest
    {
        HTTPRequest(.get, attachment.reference ?? "")
    }

    func plaintext(of downloaded: Data, for attachment: InboundAttachment) throws(AttachmentFailure) -> Data {
        guard let encoded = attachment.key else { return downloaded }
        guard let key = Data(base64Encoded: Self.padded(encoded)), key.count == 32 else {
            throw .unreadable("wecom: the file's aeskey is not 32 bytes of base64")
        }
        guard let padded = WebhookCrypto.decryptAES256CBC(key: key, iv: key.prefix(16), downloaded),
            let plain = WebhookCrypto.unpadded(padded, blockSize: 32)
        else {
            throw .unreadable("wecom: the file does not decrypt with its aeskey")
        }
        return plain
    }

    /// Base64 with the `=` padding WeCom leaves off put back.
    private static func padded(_ base64: String) -> String {
        base64 + String(repeating: "=", count: (4 - base64.count % 4) % 4)
    }
}
