import Enqueuer

/// DingTalk's robot API side: direct and group messages with an access token, and Stream mode.
struct DingTalkAPI: ProviderAPI {
    let provider = Provider.dingtalk
    let defaultBaseURL = "https://api.dingtalk.com"
    let credentials = ["app_key", "app_secret"]
    /// DingTalk's console now calls the AppKey and AppSecret the Client ID and Client Secret.
    let credentialAliases = ["client_id": "app_key", "client_secret": "app_secret"]
    let textLimit = TextLimit(maximum: 15_000, unit: .bytes)
    /// DingTalk states no limits for a robot's media; 20 MB for images and files is what its upload is
    /// commonly documented to take. Its image and file messages have no caption.
    let fileLimits = FileLimits(maxBytes: 20_000_000, kinds: [.image: 20_000_000])
    let typing: ProviderPart<any ProviderTyping> = .absent(reason: "DingTalk's robot API has no typing indicator")
    let socketMode: ProviderPart<any SocketMode.Type> = .present(DingTalkStream.self)
    let longPoll: ProviderPart<any UpdateSource.Type> = .absent(
        reason: "DingTalk has no long poll: messages come by webhook or over Stream mode")

    func rateBuckets(chat: String) -> RateBuckets {
        RateBuckets(chat: .init(key: "dingtalk:chat:\(chat)", interval: .seconds(3)))
    }

    func client(_ context: ClientContext) -> any ProviderClient {
        DingTalkClient(context: context, tokens: AccessTokenCache())
    }

    /// The older API host, where media are uploaded (`oapi.dingtalk.com`) beside the production API; a
    /// configured `base_url` (a local server, a proxy) serves both.
    static func olderAPI(_ settings: ProviderSettings) -> String {
        settings.baseURL == DingTalkAPI().defaultBaseURL ? "https://oapi.dingtalk.com" : settings.baseURL
    }
}
