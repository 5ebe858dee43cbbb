/// One provider's inbound side, in its folder: how its payloads are read and its webhooks authenticated,
/// and what its users send to link a chat.
///
/// Each provider has one (`Provider.inbound`), beside its API side in Workers (`ProviderAPI`): this side
/// stays in Enqueuer because intake, `serve` and the fuzz targets read payloads and check webhooks without
/// sending anything.
package protocol ProviderInbound: Sendable {
    /// The provider this is the home of.
    var provider: Provider { get }
    /// The provider's name as its users write it (`DingTalk`, `WeCom`).
    var displayName: String { get }
    /// Reads the provider's payloads, from a webhook, a long poll or a forwarder alike.
    var normaliser: any ProviderNormaliser { get }
    /// The authenticity check of the provider's webhooks, or why `serve` has no webhook route for it.
    var webhook: ProviderPart<any WebhookCheck> { get }
    /// The command users are told to send with a connect code.
    var linkCommand: String { get }
    /// A link that sends the link command with `code` to the bot named `bot` in one tap, where the
    /// provider has one.
    func deepLink(bot: String, code: String) -> String?
}

extension ProviderInbound {
    /// `/connect`, which every provider accepts.
    package var linkCommand: String { "/connect" }

    package func deepLink(bot: String, code: String) -> String? { nil }
}
