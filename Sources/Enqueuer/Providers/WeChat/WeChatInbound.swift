/// WeChat's inbound side: its payloads (it has no webhooks).
struct WeChatInbound: ProviderInbound {
    let provider = Provider.wechat
    let displayName = "WeChat"
    let normaliser: any ProviderNormaliser = WeChatNormaliser()
    let webhook: ProviderPart<any WebhookCheck> = .absent(
        reason: "iLink offers no webhooks: its messages are read by long polling (`switchboard poll`)")
}
