import Foundation

/// Telegram: the `secret_token` given to `setWebhook` comes back in `X-Telegram-Bot-Api-Secret-Token`.
enum TelegramWebhook {
    static func check(_ request: WebhookRequest, secretToken: String) -> WebhookVerdict {
        guard let header = request.headers["x-telegram-bot-api-secret-token"],
            WebhookCrypto.equal(Data(header.utf8), Data(secretToken.utf8))
        else { return .refuse }
        return .deliver(request.body)
    }
}
