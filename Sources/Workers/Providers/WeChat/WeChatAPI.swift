import Enqueuer

/// WeChat's iLink side: messages in the context of the one they answer, `sendtyping`, and the
/// `getupdates` long poll.
struct WeChatAPI: ProviderAPI {
    let provider = Provider.wechat
    let defaultBaseURL = "https://ilinkai.weixin.qq.com"
    let credentials = ["bot_token"]
    let textLimit = TextLimit(maximum: 2000, unit: .scalars)
    /// WeChat's own client uploads up to 100 MB (the server's limit is not published); images and videos
    /// are shown as themselves, anything else as a file, and an item carries no caption.
    let fileLimits = FileLimits(maxBytes: 100_000_000, kinds: [.image: 100_000_000, .video: 100_000_000])
    let typing: ProviderPart<any ProviderTyping> = .present(WeChatTyping())
    let socketMode: ProviderPart<any SocketMode.Type> = .absent(
        reason: "WeChat iLink has no socket mode: `receive` reads its getupdates long poll")
    let longPoll: ProviderPart<any UpdateSource.Type> = .present(WeChatUpdates.self)

    func rateBuckets(chat: String) -> RateBuckets {
        RateBuckets(chat: .init(key: "wechat:chat:\(chat)", interval: .seconds(1)))
    }

    func client(_ context: ClientContext) -> any ProviderClient {
        WeChatClient(context: context)
    }
}
