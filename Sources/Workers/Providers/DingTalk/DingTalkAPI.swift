import Enqueuer

/// DingTalk's robot API side: direct and group messages with an access token, and Stream mode.
struct DingTalkAPI: ProviderAPI {
    let provider = Provider.dingtalk
    let defaultBaseURL = "https://api.dingtalk.com"
    let credentials = ["app_key", "app_secret"]
    /// DingTalk's console now calls the AppKey and AppSecret the Client ID and Client Secret.
    let credentialAliases = ["client_id": "app_key", "client_secret": "app_secret"]
    let textLimit = TextLimit(maximum: 15_000, unit: .bytes)
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
}
