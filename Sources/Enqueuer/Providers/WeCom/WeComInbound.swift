/// WeCom's inbound side: its payloads, and its encrypted webhooks with their URL verification.
struct WeComInbound: ProviderInbound {
    let provider = Provider.wecom
    let displayName = "WeCom"
    let normaliser: any ProviderNormaliser = WeComNormaliser()
    let webhook: ProviderPart<any WebhookCheck> = .present(WeComWebhook())
}
