/// DingTalk's inbound side: its payloads and its signed webhooks.
struct DingTalkInbound: ProviderInbound {
    let provider = Provider.dingtalk
    let displayName = "DingTalk"
    let normaliser: any ProviderNormaliser = DingTalkNormaliser()
    let webhook: ProviderPart<any WebhookCheck> = .present(DingTalkWebhook())
}
