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

    /// Over the AI bot's long connection, a finished stream carries JPEG and PNG images (`msg_item`, in
    /// base64), with the stream's text as their caption: up to 700 KB, as the frame queued for the process
    /// holding the socket is at most 1 MiB (WeCom itself takes 10 MB).
    func fileLimits(to target: ReplyTarget) -> FileLimits {
        target.context == nil
            ? fileLimits
            : .images(
                ["image/jpeg", "image/png"], maxBytes: 700_000, caption: TextLimit(maximum: 20_480, unit: .bytes))
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
