/// Discord's inbound side: its payloads (it has no webhooks).
struct DiscordInbound: ProviderInbound {
    let provider = Provider.discord
    let displayName = "Discord"
    let normaliser: any ProviderNormaliser = DiscordNormaliser()
    let webhook: ProviderPart<any WebhookCheck> = .absent(
        reason: "Discord delivers messages over its Gateway only, never by webhook: a forwarder posts them to "
            + "/intake/discord")
}
