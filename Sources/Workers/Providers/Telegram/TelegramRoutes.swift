/// Telegram's API paths, below its base URL.
extension ProviderRoute {
    /// Telegram Bot API: `/bot{token}/sendMessage`.
    public static let telegramSend = around("/bot", "/sendMessage")
    /// Telegram's edit: `/bot{token}/editMessageText`.
    public static let telegramEdit = around("/bot", "/editMessageText")
    /// Telegram's typing indicator: `/bot{token}/sendChatAction`.
    public static let telegramTyping = around("/bot", "/sendChatAction")
    /// Telegram's long poll: `/bot{token}/getUpdates`.
    public static let telegramUpdates = around("/bot", "/getUpdates")
}
