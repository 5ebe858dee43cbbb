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
    /// Telegram's sends of a file, by how it is shown: `/bot{token}/sendPhoto` and the others.
    public static let telegramSendPhoto = around("/bot", "/sendPhoto")
    public static let telegramSendVoice = around("/bot", "/sendVoice")
    public static let telegramSendAudio = around("/bot", "/sendAudio")
    public static let telegramSendVideo = around("/bot", "/sendVideo")
    public static let telegramSendDocument = around("/bot", "/sendDocument")
}
