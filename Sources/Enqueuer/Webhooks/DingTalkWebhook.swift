import Foundation
import Queue

/// DingTalk: the `sign` header is Base64(HMAC-SHA256(app secret, timestamp + "\n" + app secret)), with the
/// `timestamp` header in milliseconds, within an hour of now.
enum DingTalkWebhook {
    static func check(_ request: WebhookRequest, appSecret: String, now: Timestamp) -> WebhookVerdict {
        guard let timestamp = request.headers["timestamp"], let milliseconds = Int64(timestamp),
            WebhookGate.dingTalkWindow.contains(milliseconds, now: now.millisecondsSince1970),
            let sign = request.headers["sign"]
        else { return .refuse }
        let expected = WebhookCrypto.hmacSHA256(key: Data(appSecret.utf8), Data("\(timestamp)\n\(appSecret)".utf8))
            .base64EncodedString()
        guard WebhookCrypto.equal(Data(sign.utf8), Data(expected.utf8)) else { return .refuse }
        return .deliver(request.body)
    }
}
