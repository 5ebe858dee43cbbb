import Enqueuer

/// Discord's REST API side: channel messages (with a nonce) and edits, and the typing route.
struct DiscordAPI: ProviderAPI {
    let provider = Provider.discord
    let defaultBaseURL = "https://discord.com"
    let credentials = ["bot_token"]
    let textLimit = TextLimit(maximum: 2000, unit: .utf16)
    /// 10 MiB a file for a bot since 2025 (more only with a server's boosts); the message's content, up
    /// to 2,000 characters, goes with it. Discord shows an image or a video inline from any attachment.
    let fileLimits = FileLimits(maxBytes: 10 << 20, caption: TextLimit(maximum: 2000, unit: .utf16))
    let typing: ProviderPart<any ProviderTyping> = .present(DiscordTyping())
    let socketMode: ProviderPart<any SocketMode.Type> = .present(DiscordGateway.self)
    let longPoll: ProviderPart<any UpdateSource.Type> = .absent(
        reason: "Discord has no long poll: messages come over its Gateway")

    func rateBuckets(chat: String) -> RateBuckets {
        RateBuckets(
            chat: .init(key: "discord:channel:\(chat)", interval: .milliseconds(250)),
            bot: .init(key: "discord:global", interval: .milliseconds(20))
        )
    }

    func client(_ context: ClientContext) -> any ProviderClient {
        DiscordClient(context: context)
    }
}
