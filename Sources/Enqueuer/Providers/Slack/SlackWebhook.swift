import Foundation
import Queue

/// Slack: `X-Slack-Signature` is `v0=` and the hex HMAC-SHA256, under the signing secret, of
/// `v0:{X-Slack-Request-Timestamp}:{body}`; a timestamp more than five minutes from now is a replay.
struct SlackWebhook: WebhookCheck {
    /// Slack's window for a request's timestamp, in seconds.
    static let window = ReplayWindow(width: 300)

    var secretNames: [String] { ["signing_secret"] }

    func check(_ request: WebhookRequest, secrets: WebhookSecrets, now: Timestamp) -> WebhookVerdict {
        guard let signingSecret = secrets["signing_secret"] else { return .notConfigured }
        guard let timestamp = request.headers["x-slack-request-timestamp"], let seconds = Int64(timestamp),
            Self.window.contains(seconds, now: now.millisecondsSince1970 / 1_000),
            let signature = request.headers["x-slack-signature"]
        else { return .refuse }
        let expected =
            "v0="
            + WebhookCrypto.hex(
                WebhookCrypto.hmacSHA256(key: Data(signingSecret.utf8), Data("v0:\(timestamp):".utf8) + request.body))
        guard WebhookCrypto.equal(Data(signature.utf8), Data(expected.utf8)) else { return .refuse }
        return .deliver(request.body)
    }
}
