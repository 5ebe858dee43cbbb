extension Provider {
    /// The provider's inbound side: the one place a provider is mapped to its folder in Enqueuer, so no
    /// other code switches over providers to read a payload or check a webhook.
    package var inbound: any ProviderInbound {
        switch self {
        case .telegram: TelegramInbound()
        case .slack: SlackInbound()
        case .discord: DiscordInbound()
        case .feishu: FeishuInbound()
        case .dingtalk: DingTalkInbound()
        case .wecom: WeComInbound()
        case .wechat: WeChatInbound()
        }
    }
}
