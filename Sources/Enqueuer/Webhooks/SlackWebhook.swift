import Foundation
import Queue

/// Slack: `X-Slack-Signature` is `v0=` and the hex HMAC-SHA256, under the signing secret, of
/// `v0:{X-Slack-Request-Timestamp}:{body}`; a timestamp more than five minutes from now is a replay.
enum SlackWebhook {
    static func check(_ request: WebhookRequest, signingSecret: String, now: Timestamp) -> WebhookVerdict {
        guard let timestamp = request.headers["x-slack-request-timestamp"], let seconds = Int64(timestamp),
            WebhookGate.slackWindow.contains(seconds, now: now.millisecondsSince1970 / 1_000),
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
