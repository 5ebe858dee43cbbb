import Enqueuer
import Foundation

/// Signs webhooks as the providers do, dated now: for the tests and the serve benchmark.
package enum WebhookSigner {
    /// Slack's `X-Slack-Request-Timestamp` and `X-Slack-Signature` headers for `body`.
    package static func slack(
        _ body: String, secret: String, at seconds: Int64 = Int64(Date().timeIntervalSince1970)
    ) -> [(name: String, value: String)] {
        let mac = WebhookCrypto.hmacSHA256(key: Data(secret.utf8), Data("v0:\(seconds):\(body)".utf8))
        return [("X-Slack-Request-Timestamp", "\(seconds)"), ("X-Slack-Signature", "v0=" + WebhookCrypto.hex(mac))]
    }

    /// DingTalk's `timestamp` and `sign` headers.
    package static func dingTalk(secret: String) -> [(name: String, value: String)] {
        let milliseconds = Int64(Date().timeIntervalSince1970 * 1_000)
        let mac = WebhookCrypto.hmacSHA256(key: Data(secret.utf8), Data("\(milliseconds)\n\(secret)".utf8))
        return [("timestamp", "\(milliseconds)"), ("sign", mac.base64EncodedString())]
    }
}
