import Foundation
import Queue

/// DingTalk: the `sign` header is Base64(HMAC-SHA256(app secret, timestamp + "\n" + app secret)), with the
/// `timestamp` header in milliseconds, within an hour of now. It signs with the `app_secret` DingTalk's
/// API side sends with, so it has no secret of its own.
struct DingTalkWebhook: WebhookCheck {
    /// DingTalk's window for a request's timestamp, in milliseconds.
    static let window = ReplayWindow(width: 3_600_000)

    var secretNames: [String] { [] }

    func check(_ request: WebhookRequest, secrets: WebhookSecrets, now: Timestamp) -> WebhookVerdict {
        guard let appSecret = secrets["app_secret"] else { return .notConfigured }
        guard let timestamp = request.headers["timestamp"], let milliseconds = Int64(timestamp),
            Self.window.contains(milliseconds, now: now.millisecondsSince1970),
            let sign = request.headers["sign"]
        else { return .refuse }
        let expected = WebhookCrypto.hmacSHA256(key: Data(appSecret.utf8), Data("\(timestamp)\n\(appSecret)".utf8))
            .base64EncodedString()
        guard WebhookCrypto.equal(Data(sign.utf8), Data(expected.utf8)) else { return .refuse }
        return .deliver(request.body)
    }
}
