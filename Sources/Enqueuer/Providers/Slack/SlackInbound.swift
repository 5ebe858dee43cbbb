/// Slack's inbound side: its payloads and its signed webhooks.
struct SlackInbound: ProviderInbound {
    let provider = Provider.slack
    let displayName = "Slack"
    let normaliser: any ProviderNormaliser = SlackNormaliser()
    let webhook: ProviderPart<any WebhookCheck> = .present(SlackWebhook())
}
