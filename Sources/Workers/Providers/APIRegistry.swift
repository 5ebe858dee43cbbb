import Enqueuer

extension Provider {
    /// The provider's API side: the one place a provider is mapped to its folder in Workers, so no other
    /// code switches over providers to send, pace, type or poll.
    package var api: any ProviderAPI {
        switch self {
        case .telegram: TelegramAPI()
        case .slack: SlackAPI()
        case .discord: DiscordAPI()
        case .feishu: FeishuAPI()
        case .dingtalk: DingTalkAPI()
        case .wecom: WeComAPI()
        case .wechat: WeChatAPI()
        }
    }
}
