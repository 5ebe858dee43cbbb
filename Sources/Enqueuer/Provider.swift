/// A chat provider Switchboard takes messages from.
public enum Provider: String, Sendable, CaseIterable {
    case telegram
    case slack
    case discord
    case feishu
    case dingtalk
    case wecom
    case wechat

    public var displayName: String {
        switch self {
        case .telegram: "Telegram"
        case .slack: "Slack"
        case .discord: "Discord"
        case .feishu: "Feishu"
        case .dingtalk: "DingTalk"
        case .wecom: "WeCom"
        case .wechat: "WeChat"
        }
    }
}
