import Foundation
import Queue

/// Telegram: the `secret_token` given to `setWebhook` comes back in `X-Telegram-Bot-Api-Secret-Token`.
struct TelegramWebhook: WebhookCheck {
    var secretNames: [String] { ["secret_token"] }

    func check(_ request: WebhookRequest, secrets: WebhookSecrets, now: Timestamp) -> WebhookVerdict {
        guard let secretToken = secrets["secret_token"] else { return .notConfigured }
        guard let header = request.headers["x-telegram-bot-api-secret-token"],
            WebhookCrypto.equal(Data(header.utf8), Data(secretToken.utf8))
        else { return .refuse }
        return .deliver(request.body)
    }

    /// Telegram's rule for `setWebhook`'s `secret_token`.
    func secretProblem(_ name: String, _ value: String) -> String? {
        guard name == "secret_token" else { return nil }
        guard value.utf8.count <= 256, value.utf8.allSatisfy(Self.isSecretByte) else {
            return "must be 1 to 256 of the characters A-Z a-z 0-9 _ - (Telegram's rule for a secret_token)"
        }
        return nil
    }

    private static func isSecretByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }
}
