import Enqueuer

/// Slack's Web API side: `chat.postMessage` and `chat.update`, and the assistant-thread status as its
/// typing indicator.
struct SlackAPI: ProviderAPI {
    let provider = Provider.slack
    let defaultBaseURL = "https://slack.com"
    let credentials = ["bot_token"]
    let textLimit = TextLimit(maximum: 4000, unit: .scalars)
    /// Slack takes files of up to 1 GB (its help centre; the API reference states none); the message's
    /// text goes with the file as its comment.
    let fileLimits = FileLimits(maxBytes: 1_000_000_000, caption: TextLimit(maximum: 4000, unit: .scalars))
    let typing: ProviderPart<any ProviderTyping> = .present(SlackTyping())
    let socketMode: ProviderPart<any SocketMode.Type> = .present(SlackSocketMode.self)
    let longPoll: ProviderPart<any UpdateSource.Type> = .absent(
        reason: "Slack has no long poll: its events come by webhook (the Events API) or over Socket Mode")

    func rateBuckets(chat: String) -> RateBuckets {
        RateBuckets(chat: .init(key: "slack:channel:\(chat)", interval: .seconds(1)))
    }

    func client(_ context: ClientContext) -> any ProviderClient {
        SlackClient(context: context)
    }
}
