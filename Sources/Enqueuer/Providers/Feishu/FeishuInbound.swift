/// Feishu's inbound side: its payloads and its webhooks (verification token, signature, decryption).
struct FeishuInbound: ProviderInbound {
    let provider = Provider.feishu
    let displayName = "Feishu"
    let normaliser: any ProviderNormaliser = FeishuNormaliser()
    let webhook: ProviderPart<any WebhookCheck> = .present(FeishuWebhook())
}
