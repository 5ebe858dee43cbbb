import Enqueuer

/// Feishu's Open API side: messages sent, replied and edited with a tenant access token.
struct FeishuAPI: ProviderAPI {
    let provider = Provider.feishu
    let defaultBaseURL = "https://open.feishu.cn"
    let credentials = ["app_id", "app_secret"]
    let textLimit = TextLimit(maximum: 150_000, unit: .bytes)
    /// Images up to 10 MB (`/im/v1/images`), other files up to 30 MB (`/im/v1/files`); an image or file
    /// message has no caption, so one goes as a text message before it.
    let fileLimits = FileLimits(maxBytes: 30_000_000, kinds: [.image: 10_000_000])
    let typing: ProviderPart<any ProviderTyping> = .absent(reason: "Feishu's messaging API has no typing indicator")
    let socketMode: ProviderPart<any SocketMode.Type> = .present(FeishuLongConnection.self)
    let longPoll: ProviderPart<any UpdateSource.Type> = .absent(
        reason: "Feishu has no long poll: events come by webhook or over its long connection")

    func rateBuckets(chat: String) -> RateBuckets {
        RateBuckets(chat: .init(key: "feishu:chat:\(chat)", interval: .milliseconds(200)))
    }

    func client(_ context: ClientContext) -> any ProviderClient {
        FeishuClient(context: context, tokens: AccessTokenCache())
    }
}
