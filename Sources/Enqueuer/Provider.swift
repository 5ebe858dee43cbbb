/// A chat provider Switchboard takes messages from. Everything about one provider lives in its folder,
/// found through `inbound` (Enqueuer) and `api` (Workers).
public enum Provider: String, Sendable, CaseIterable {
    case telegram
    case slack
    case discord
    case feishu
    case dingtalk
    case wecom
    case wechat

    /// The provider's name as its users write it (`DingTalk`, `WeCom`).
    public var displayName: String {
        inbound.displayName
    }
}
