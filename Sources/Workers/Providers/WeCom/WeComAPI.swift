import Enqueuer

/// WeCom's API side: messages to a group chat or to one user, with an access token; and the AI bot's long
/// connection, whose replies go out over the socket instead.
struct WeComAPI: ProviderAPI {
    let provider = Provider.wecom
    let defaultBaseURL = "https://qyapi.weixin.qq.com"
    let credentials = ["corp_id", "corp_secret", "agent_id"]
    let textLimit = TextLimit(maximum: 2048, unit: .bytes)
    /// The message API's temporary media: images (JPEG, PNG) up to 10 MB, files up to 20 MB; its image and
    /// file messages have no caption.
    let fileLimits = FileLimits(maxBytes: 20_000_000, kinds: [.image: 10_000_000])

    /// Over the AI bot's long connection, Switchboard answers with text only.
    func fileLimits(to target: ReplyTarget) -> FileLimits {
        target.context == nil
            ? fileLimits : .none("files are not sent over WeCom's AI bot connection, which this reply went by")
    }
    let typing: ProviderPart<any ProviderTyping> = .absent(reason: "WeCom's message API has no typing indicator")
    let socketMode: ProviderPart<any SocketMode.Type> = .present(WeComLongConnection.self)
    let longPoll: ProviderPart<any UpdateSource.Type> = .absent(
        reason: "WeCom has no long poll: an AI bot's messages come by webhook or over its long connection")

    func rateBuckets(chat: String) -> RateBuckets {
        RateBuckets(chat: .init(key: "wecom:chat:\(chat)", interval: .milliseconds(300)))
    }

    func client(_ context: ClientContext) -> any ProviderClient {
        WeComClient(context: context, tokens: AccessTokenCache())
    }
}
