/// Discord's API paths, below its base URL.
extension ProviderRoute {
    /// Discord: `/api/v10/channels/{channel}/messages`.
    public static let discordMessages = around("/api/v10/channels/", "/messages")
    /// Discord's edit (`PATCH`): `/api/v10/channels/{channel}/messages/{message}`.
    public static let discordMessage = around("/api/v10/channels/", "/messages/", "")
    /// Discord's typing indicator: `/api/v10/channels/{channel}/typing`.
    public static let discordTyping = around("/api/v10/channels/", "/typing")
}

extension ProviderRoute {
    /// Discord's Gateway address for a bot: `/api/v10/gateway/bot`.
    public static let discordGatewayBot = fixed("/api/v10/gateway/bot")
}
