/// Telegram's inbound side: its payloads, its webhook's secret header, and its `/start` deep link.
struct TelegramInbound: ProviderInbound {
    let provider = Provider.telegram
    let displayName = "Telegram"
    let normaliser: any ProviderNormaliser = TelegramNormaliser()
    let webhook: ProviderPart<any WebhookCheck> = .present(TelegramWebhook())

    /// Telegram's deep link `t.me/BOT?start=CODE` sends `/start CODE`, so Telegram users are told `/start`.
    let linkCommand = "/start"

    func deepLink(bot: String, code: String) -> String? {
        "https://t.me/\(bot)?start=\(code)"
    }
}
